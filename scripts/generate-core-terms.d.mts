export const CORE_FILE: string;
export const ADDITIONS_FILE: string;
export const OUTPUT_FILE: string;
export function renderCoreTerms(core: unknown, additions: unknown): string;
export function generatedCoreTerms(): string;
