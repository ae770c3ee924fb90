'use client';
/**
 * Rename / edit metadata with optimistic locking: the save carries the
 * revision this page loaded (`onConflict: 'fail'`, `expectedRevision`). When
 * the node holds a newer revision, the page loads it and, if someone else
 * changed the same fields, shows both versions in the conflict dialog.
 */
import { useEffect, useState } from 'react';
import type { Sdk } from '@s5chat/sdk-core';
import { errorCode } from '../lib/errors';
import { changedKeys, editableOf, mergeEditable, sameEditable, EDITABLE_KEYS, type EditableMetadata } from '../lib/metadata';
import { useHarness } from './HarnessProvider';

export interface MetadataBase {
  metadata: Record<string, unknown>;
  revision: number;
}

interface Conflict {
  mine: EditableMetadata;
  theirs: EditableMetadata;
  base: EditableMetadata;
  currentRevision: number;
  currentMetadata: Record<string, unknown>;
}

export function MetadataEditor(props: {
  sdk: Sdk;
  conversationId: string;
  base: MetadataBase;
  onSaved: (next: MetadataBase) => void;
}) {
  const { sdk, conversationId, base, onSaved } = props;
  const { reportError, telemetry } = useHarness();
  const [form, setForm] = useState<EditableMetadata>(() => editableOf(base.metadata));
  const [editBase, setEditBase] = useState<MetadataBase>(base);
  const [busy, setBusy] = useState(false);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [note, setNote] = useState<string | null>(null);

  // A fresh load from storage resets the form, unless the user is mid-edit.
  useEffect(() => {
    if (!busy && !conflict && sameEditable(form, editableOf(editBase.metadata))) {
      setEditBase(base);
      setForm(editableOf(base.metadata));
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [base]);

  async function loadCurrent(): Promise<MetadataBase> {
    const current = await sdk.storage.loadConversation(conversationId);
    if (!current) throw Object.assign(new Error('The conversation is gone from storage.'), { code: 'NOT_FOUND' });
    return { metadata: current.metadata, revision: current.revision };
  }

  /** One optimistic write; returns the conflict instead of throwing it. */
  async function write(values: EditableMetadata, expectedRevision: number, startedFrom: EditableMetadata): Promise<'saved' | Conflict> {
    // Only send what changed, so concurrent edits of other keys are untouched.
    const patch: Record<string, unknown> = {};
    for (const k of EDITABLE_KEYS) patch[k] = values[k];
    try {
      await telemetry.track(() =>
        sdk.storage.updateMetadata(conversationId, patch, { onConflict: 'fail', expectedRevision }),
      );
      return 'saved';
    } catch (e) {
      if (errorCode(e) !== 'REVISION_CONFLICT') throw e;
      const current = await loadCurrent();
      const theirs = editableOf(current.metadata);
      return { mine: values, theirs, base: startedFrom, currentRevision: current.revision, currentMetadata: current.metadata };
    }
  }

  async function saveWithResolution(values: EditableMetadata, expectedRevision: number, startedFrom: EditableMetadata) {
    setBusy(true);
    setNote(null);
    try {
      let result = await write(values, expectedRevision, startedFrom);
      // The revision also moves when messages are appended (by this tab or
      // another). If nobody touched the fields being edited, there is nothing
      // to ask the user: re-apply on the revision just read (bounded).
      for (let i = 0; i < 3 && result !== 'saved' && sameEditable(result.theirs, startedFrom); i++) {
        setNote(`Revision moved to ${result.currentRevision} by message writes only; re-applied the edit.`);
        result = await write(values, result.currentRevision, startedFrom);
      }
      if (result === 'saved') {
        setConflict(null);
        const current = await loadCurrent();
        setEditBase(current);
        setForm(editableOf(current.metadata));
        onSaved(current);
      } else {
        setConflict(result);
      }
    } catch (e) {
      reportError(e, 'save metadata');
    } finally {
      setBusy(false);
    }
  }

  const mergedPreview = conflict ? mergeEditable(conflict.base, conflict.mine, conflict.theirs) : null;

  return (
    <section className="card" data-testid="metadata-editor">
      <h3>Conversation metadata</h3>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void saveWithResolution(form, editBase.revision, editableOf(editBase.metadata));
        }}
      >
        <label>
          Title <input value={form.title} onChange={(e) => setForm({ ...form, title: e.target.value })} data-testid="meta-title" />
        </label>
        <label>
          Tags <input value={form.tags} onChange={(e) => setForm({ ...form, tags: e.target.value })} data-testid="meta-tags" />
        </label>
        <label>
          Notes <input value={form.notes} onChange={(e) => setForm({ ...form, notes: e.target.value })} data-testid="meta-notes" />
        </label>
        <button type="submit" disabled={busy || !!conflict} data-testid="meta-save">
          Save (edits revision <span data-testid="meta-base-revision">{editBase.revision}</span>)
        </button>
        <span className="muted"> changed: {changedKeys(editableOf(editBase.metadata), form).join(', ') || 'nothing'}</span>
      </form>
      {note && <p className="muted" data-testid="meta-note">{note}</p>}

      {conflict && mergedPreview && (
        <div className="dialog" role="dialog" aria-modal="true" data-testid="conflict-dialog">
          <h3>Someone else changed this conversation</h3>
          <p>
            You edited revision {editBase.revision}; storage now holds revision{' '}
            <span data-testid="conflict-current-revision">{conflict.currentRevision}</span>. Nothing was written. Choose
            which version to keep.
          </p>
          <table>
            <thead>
              <tr>
                <th>field</th>
                <th>yours</th>
                <th>theirs (stored)</th>
                <th>merged</th>
              </tr>
            </thead>
            <tbody>
              {EDITABLE_KEYS.map((k) => (
                <tr key={k} className={conflict.mine[k] !== conflict.theirs[k] ? 'differs' : ''}>
                  <td>{k}</td>
                  <td data-testid={`conflict-mine-${k}`}>{conflict.mine[k]}</td>
                  <td data-testid={`conflict-theirs-${k}`}>{conflict.theirs[k]}</td>
                  <td data-testid={`conflict-merged-${k}`}>{mergedPreview[k]}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="row">
            <button
              disabled={busy}
              data-testid="conflict-keep-mine"
              onClick={() => void saveWithResolution(conflict.mine, conflict.currentRevision, conflict.theirs)}
            >
              Keep mine
            </button>
            <button
              disabled={busy}
              data-testid="conflict-keep-theirs"
              onClick={() => {
                const current = { metadata: conflict.currentMetadata, revision: conflict.currentRevision };
                setConflict(null);
                setEditBase(current);
                setForm(conflict.theirs);
                onSaved(current);
              }}
            >
              Keep theirs
            </button>
            <button
              disabled={busy}
              data-testid="conflict-merge"
              onClick={() => void saveWithResolution(mergedPreview, conflict.currentRevision, conflict.theirs)}
            >
              Merge
            </button>
          </div>
        </div>
      )}
    </section>
  );
}
