/**
 * The height kept for \`<ykien-comments>\` until its comments are in: a screen's at least, so a reader who
 * jumps to them sees nothing below move as they fill in. The loader reserves it before the element's
 * code comes (load-by-need.ts), the element while its list loads (ykien-comments/space-keeper.ts); a
 * site sets \`--ykien-reserve\` to change it.
 */
export const RESERVED_HEIGHT = 'var(--ykien-reserve,max(36rem,100vh))';

/**
 * Marks the name the loader gave the empty box (a region, for a screen reader's landmarks) until its code
 * comes: the element takes it back as it upgrades, leaving a role the page set itself.
 */
export const NAMED_BY_LOADER = 'data-ykien-named';
