// Errors with an exit code, and the log every step writes to (stderr).

export class Fail extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}
export const log = (...a) => console.error('[native-tf]', ...a);
