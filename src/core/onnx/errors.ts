/**
 * A model package that cannot be used: names the file and the problem, so the user
 * can fix the folder (the built-in backend keeps working meanwhile).
 */
export class ModelPackageError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'ModelPackageError';
  }
}

/** The depth or precision asked for is one this model does not have. */
export class LocalRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LocalRequestError';
  }
}

/** No execution provider could run the model (each one's reason is in the message). */
export class ProviderUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProviderUnavailableError';
  }
}
