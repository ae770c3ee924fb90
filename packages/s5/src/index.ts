export const PLACEHOLDER = 's5';
