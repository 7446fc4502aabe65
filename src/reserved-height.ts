/**
 * The height kept for \`<ykien-comments>\` until its comments are in: a screen's at least, so a reader who
 * jumps to them sees nothing below move as they fill in. The loader reserves it before the element's
 * code comes (load-by-need.ts), the element while its list loads (ykien-comments/space-keeper.ts); a
 * site sets \`--ykien-reserve\` to change it.
 */
export const RESERVED_HEIGHT = 'var(--ykien-reserve,max(36rem,100vh))';
