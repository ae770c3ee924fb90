/**
 * The user-editable part of a conversation's metadata (title, tags, notes)
 * and the three-way resolution the conflict dialog offers. Session fields
 * (status, endTime) are never part of an edit, so an edit cannot undo an
 * `end()` from another tab.
 */
export interface EditableMetadata {
  title: string;
  tags: string;
  notes: string;
}

export const EDITABLE_KEYS = ['title', 'tags', 'notes'] as const;

export function editableOf(metadata: Record<string, unknown> | undefined): EditableMetadata {
  const m = metadata ?? {};
  const str = (v: unknown) => (typeof v === 'string' ? v : Array.isArray(v) ? v.join(', ') : '');
  return { title: str(m.title), tags: str(m.tags), notes: str(m.notes) };
}

export function sameEditable(a: EditableMetadata, b: EditableMetadata): boolean {
  return EDITABLE_KEYS.every((k) => a[k] === b[k]);
}

/** Keys the user changed relative to the version they started editing from. */
export function changedKeys(base: EditableMetadata, mine: EditableMetadata): Array<keyof EditableMetadata> {
  return EDITABLE_KEYS.filter((k) => base[k] !== mine[k]);
}

/**
 * Merge: start from theirs (the current stored version) and re-apply only the
 * keys I changed. Keys both sides changed take mine, because the user is
 * looking at both and chose "merge" knowing that.
 */
export function mergeEditable(base: EditableMetadata, mine: EditableMetadata, theirs: EditableMetadata): EditableMetadata {
  const merged = { ...theirs };
  for (const k of changedKeys(base, mine)) merged[k] = mine[k];
  return merged;
}
