/** True when SQL holds nothing but comments and white space (a model whose file is all comments). */
export function isCommentOnly(sql: string): boolean {
  if (!sql.includes('--') && !sql.includes('/*')) return !sql.trim();
  return !sql.replace(/\/\*[\s\S]*?(\*\/|$)/g, '').replace(/--[^\n]*/g, '').trim();
}
