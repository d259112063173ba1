import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = {
  title: 'dgascope',
  description: 'Which malware family generated this domain?',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="top">
          <strong>dgascope</strong>
          <span className="muted">DGA feeds, families and models</span>
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
