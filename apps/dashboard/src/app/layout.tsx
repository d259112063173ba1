import type { Metadata } from 'next';
import Link from 'next/link';
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
          <nav aria-label="Main">
            <Link href="/">Overview</Link>
            <Link href="/unseen">Unseen families</Link>
            <Link href="/models">Models</Link>
            <Link href="/predictions">Predictions</Link>
            <Link href="/admin">Admin</Link>
          </nav>
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
