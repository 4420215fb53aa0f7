/** asl-validator 4 ships no types: the shape of its CommonJS export (dist/src/validator.js). */
declare module 'asl-validator' {
  interface AslValidationError {
    'Error code': string;
    Message: string;
  }
  interface AslValidationResult {
    isValid: boolean;
    errors: AslValidationError[];
    errorsText: (separator?: string) => string;
  }
  /** Mutates its argument (fills in QueryLanguage on every state): pass a copy. */
  function aslValidator(definition: object, options?: { checkPaths?: boolean; checkArn?: boolean }): AslValidationResult;
  export = aslValidator;
}
