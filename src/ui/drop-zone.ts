// Where files come in: drag and drop (files and whole folders), a file
// picker, a folder picker, and paste. Emits `files` with the collected list.
import { css, html, LitElement } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { fromDataTransfer, fromFileList, type Collected } from '../intake/dropped-files.js';
import { baseStyles } from './theme.js';

@customElement('drop-zone')
export class DropZone extends LitElement {
  @state() private over = false;

  static override styles = [
    baseStyles,
    css`
      .zone { border: 2px dashed var(--line); border-radius: 10px; padding: 1.5rem; text-align: center; background: var(--panel); }
      .zone.over { border-color: var(--accent); }
      .pickers { display: flex; gap: 0.75rem; justify-content: center; flex-wrap: wrap; margin-top: 0.75rem; }
      input[type='file'] { display: none; }
      label.button { border: 1px solid var(--line); border-radius: 6px; padding: 0.3rem 0.8rem; cursor: pointer; background: var(--bg); }
      label.button:hover { border-color: var(--accent); }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('paste', this.onPaste);
  }

  override disconnectedCallback(): void {
    document.removeEventListener('paste', this.onPaste);
    super.disconnectedCallback();
  }

  override render() {
    return html`<div
      class="zone ${this.over ? 'over' : ''}"
      @dragover=${(e: DragEvent) => {
        e.preventDefault();
        this.over = true;
      }}
      @dragleave=${() => (this.over = false)}
      @drop=${this.onDrop}
    >
      <strong>Drop model files or a whole model folder here</strong>
      <div class="muted">or paste them · nothing is uploaded: files are read on this machine only</div>
      <div class="pickers">
        <label class="button">Choose files<input id="files" type="file" multiple @change=${this.onPick} /></label>
        <label class="button">Choose a folder<input id="folder" type="file" webkitdirectory multiple @change=${this.onPick} /></label>
      </div>
    </div>`;
  }

  private async onDrop(event: DragEvent) {
    event.preventDefault();
    this.over = false;
    if (event.dataTransfer) this.emit(await fromDataTransfer(event.dataTransfer));
  }

  private onPick(event: Event) {
    const input = event.target as HTMLInputElement;
    this.emit(fromFileList(input.files ?? []));
    input.value = '';
  }

  private onPaste = (event: ClipboardEvent) => {
    const files = event.clipboardData?.files;
    if (!files?.length) return;
    event.preventDefault();
    this.emit(fromFileList(files));
  };

  private emit(collected: Collected) {
    if (collected.files.length || collected.skipped.length) this.dispatchEvent(new CustomEvent<Collected>('files', { detail: collected, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'drop-zone': DropZone;
  }
}
