"""The reader screen: the controller between the article view, the panes, the dialogs and the store.

Widgets report what the person wants with messages; this screen calls the store (one transaction
per action, committed at once), keeps the undo history, and hands the widgets new attributes.
"""

from __future__ import annotations

import gc
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, Static

from tui.anchoring import make_anchor, snap_span
from tui.model import COLORS, Annotation, Document
from tui.store import NotFoundError, Store
from tui.textsafe import excerpt
from tui.textsearch import TextSearch
from tui.ui.widgets.article import ArticleView
from tui.ui.widgets.outline import Outline
from tui.ui.widgets.sidebar import Sidebar

if TYPE_CHECKING:  # the dialogs are imported when first opened
    from tui.ui.dialogs.export import ExportRequest


@dataclass(slots=True)
class Change:
    """One undoable action: the annotation `annotation_id` went from `before` to `after`.

    None stands for "does not exist", so creating, deleting and editing are all the same kind of
    change and undo/redo is applying the other side.
    """

    annotation_id: int
    before: Annotation | None
    after: Annotation | None
    label: str


def quick_tag_bindings() -> list[BindingType]:
    """`1`-`9` apply the tag bound to that quick key."""
    return [
        Binding(
            str(n),
            f"quick_tag({n})",
            f"Tag {n}",
            show=False,
            id=f"reader.tag_{n}",
            tooltip=f"Apply the tag on quick key {n}",
        )
        for n in range(1, 10)
    ]


class ReaderScreen(Screen[None]):
    """Reads one document: article, outline, annotation sidebar, search bar and status line."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "h",
            "highlight",
            "Highlight",
            id="reader.highlight",
            tooltip="Highlight the selection or sentence",
        ),
        Binding(
            "c",
            "cycle_color",
            "Colour",
            id="reader.color",
            show=False,
            tooltip="Next colour for the highlight at the cursor",
        ),
        Binding("t", "pick_tag", "Tag", id="reader.tag", tooltip="Pick or create a tag"),
        *quick_tag_bindings(),
        Binding(
            "a",
            "note",
            "Note",
            id="reader.note",
            tooltip="Write a note on the highlight at the cursor",
        ),
        Binding(
            "d",
            "delete",
            "Delete",
            id="reader.delete",
            show=False,
            tooltip="Delete the annotation at the cursor",
        ),
        Binding("u", "undo", "Undo", id="reader.undo", show=False, tooltip="Undo the last change"),
        Binding(
            "ctrl+r", "redo", "Redo", show=False, id="reader.redo", tooltip="Redo what was undone"
        ),
        Binding(
            "slash", "search", "Find", id="reader.search", tooltip="Search the text as you type"
        ),
        Binding("n", "next_match", "Next match", show=False, id="reader.next_match"),
        Binding("N", "previous_match", "Previous match", show=False, id="reader.previous_match"),
        Binding(
            "y",
            "copy",
            "Copy",
            id="reader.copy",
            show=False,
            tooltip="Copy the passage with a citation",
        ),
        Binding("e", "export", "Export", id="reader.export", tooltip="Export annotations"),
        Binding("O", "toggle_outline", "Outline", show=False, id="reader.outline"),
        Binding(
            "f",
            "filter_tag",
            "Filter",
            show=False,
            id="reader.filter",
            tooltip="Show one tag's annotations in the sidebar",
        ),
    ]
    """Annotating, finding and exporting; moving and selecting are the article view's keys."""

    DEFAULT_CSS = """
    ReaderScreen {
        layout: vertical;
        #panes { height: 1fr; }
        #status {
            height: 1;
            padding: 0 1;
            background: $panel;
            color: $text-muted;
        }
        #search { display: none; }
        #search.-active { display: block; }
        Outline.-hidden, Sidebar.-hidden { display: none; }
    }
    """

    def __init__(self, store: Store, document_id: int, *, reading_width: int = 80) -> None:
        super().__init__()
        self.store = store
        self.document_id = document_id
        self.reading_width = reading_width
        self.document: Document = store.get_document(document_id)
        self._sha256: str | None = None  # hashed once, after the first frame (ms for a book)
        self.annotations: list[Annotation] = []
        self._placed: list[Annotation] = []  # placed annotations by start, for span lookups
        self._starts: list[int] = []
        self._longest = 0
        self._by_id: dict[int, Annotation] = {}
        # Read after the text is first on screen (`load_annotations`): 10,000 of them take
        # 60 ms, which a reopened book would otherwise spend before showing anything.
        self._annotations_loaded = False
        self._annotations_shown = False  # load_annotations has run
        self.undo_stack: list[Change] = []
        self.redo_stack: list[Change] = []
        self._position = self.document.position
        self._saved_position = self.document.position
        self._position_timer: Timer | None = None
        self._fraction = 0.0
        self._search_origin: int | None = None
        self._match_overflow = False
        self._search: TextSearch | None = None  # made when the search bar first opens
        self._pending_query: str | None = None  # typed, to be searched after the next frame

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        """Outline, article and sidebar side by side; search bar, status line and footer below."""
        with Horizontal(id="panes"):
            yield Outline(id="outline")
            yield ArticleView(id="article")
            yield Sidebar(id="sidebar", loading=True)
        yield Static(id="status", markup=False)
        yield Footer()

    @property
    def view(self) -> ArticleView:
        """The article view."""
        return self.query_one(ArticleView)

    @property
    def sidebar(self) -> Sidebar:
        """The annotation sidebar."""
        return self.query_one(Sidebar)

    @property
    def outline(self) -> Outline:
        """The outline pane."""
        return self.query_one(Outline)

    def on_mount(self) -> None:
        """Show the document at its saved reading position."""
        self.title = self.document.title
        view = self.view
        view.reading_width = self.reading_width
        view.document = self.document
        # One heading (the title) makes no outline; a narrow terminal keeps the width for text.
        headings = sum(1 for block in self.document.blocks if block.kind == "heading")
        worth_it = headings > 1 and self.app.size.width >= 130
        if worth_it:  # else listed when first shown (O): a book has hundreds of headings
            self.outline.document = self.document
        self.outline.set_class(not worth_it, "-hidden")
        if self.document.position:
            view.scroll_to_offset(self.document.position)
            view.cursor = self.document.position
        view.focus()
        self.update_status()
        # Should the text never be drawn (a terminal too small to show it), read them anyway.
        self.set_timer(0.5, self.load_annotations)

    @on(ArticleView.TextShown)
    def text_shown(self) -> None:
        """The text is being drawn: read the annotations as soon as that frame is out."""
        self.call_after_refresh(self.load_annotations)

    def load_annotations(self) -> None:
        """Read the annotations and hand them to the panes (once the text is on screen).

        Anything that looks an annotation up before then loads them first (`overlapping`),
        so a key pressed in the first frames acts on the real annotations.
        """
        if self._annotations_shown:
            return
        self._annotations_shown = True
        self._ensure_loaded()
        self._show_annotations()
        if self._sha256 is None:
            self._sha256 = self.document.sha256
        self.store.set_position(self.document_id, self._position)  # marks it as read now
        self._saved_position = self._position
        # The document, its indexes and thousands of annotations are long-lived: moved out of
        # the collector's generations, they no longer make a full collection (~70 ms with a
        # book and 10,000 annotations) land on some keypress.
        gc.freeze()
        gc.enable()  # `margin open` turns it off while the book loads

    def on_unmount(self) -> None:
        """Keep the reading position when the screen goes."""
        self.flush()

    def flush(self) -> bool:
        """Write the reading position if it changed; the app calls this before it exits."""
        if self._position_timer is not None:
            self._position_timer.stop()
            self._position_timer = None
        # Read the view itself: a signal can arrive between a scroll and its message.
        views = self.query(ArticleView)
        top = views.first().top_offset if views else None
        if top is not None:
            self._position = top
        if self._position == self._saved_position:
            return False
        try:
            self.store.set_position(self.document_id, self._position)
        except Exception:  # a position is not worth a crash on the way out
            return False
        self._saved_position = self._position
        return True

    # ------------------------------------------------------------------ status

    def update_status(self, mode: str = "") -> None:
        """Title, progress, annotation count and the current mode in the status line."""
        parts = [f"{self._fraction:.0%}"]
        if self._annotations_loaded:
            placed = len(self._placed)
            unplaced = len(self.annotations) - placed
            parts.append(f"{placed} annotations")
            if unplaced:
                parts.append(f"{unplaced} unplaced")
        else:
            parts.append("reading annotations…")
        view = self.view
        if view.selection:
            start, end = view.selection
            parts.append(f"SELECT {end - start} chars")
        if view.matches:
            count = f"{len(view.matches):,}{'+' if self._match_overflow else ''}"
            index = (view.current_match or 0) + 1
            parts.append(f"match {index}/{count}")
        if self.sidebar.tag_filter:
            parts.append(f"filter #{self.sidebar.tag_filter}")
        if mode:
            parts.append(mode)
        parts.append(self.document.title)
        line = Text(" · ".join(parts), no_wrap=True, overflow="ellipsis")
        # One row, full width, whatever it says: no layout pass (a layout of the whole screen
        # on every key that moves the cursor was a third of the time to the next frame).
        self.query_one("#status", Static).update(line, layout=False)

    @on(ArticleView.PositionChanged)
    def position_changed(self, event: ArticleView.PositionChanged) -> None:
        """Remember the position (written soon, or on exit); the outline follows it."""
        self._position = event.top_offset
        self._fraction = event.fraction
        self.outline.position = event.top_offset
        if self._position_timer is None:
            self._position_timer = self.set_timer(1.0, self._save_position)
        self.update_status()

    def _save_position(self) -> None:
        self._position_timer = None
        self.flush()

    @on(ArticleView.CursorMoved)
    def cursor_moved(self) -> None:
        """Mark the annotation at the cursor in the sidebar."""
        if not self._annotations_loaded:
            return  # `_show_annotations` marks it once they are read
        current = self.annotation_at_cursor()
        self.sidebar.current = current.id if current else None

    @on(ArticleView.SelectionChanged)
    def selection_changed(self) -> None:
        """Show the selection in the status line."""
        self.update_status()

    # ------------------------------------------------------------------ what the keys act on

    def target_span(self) -> tuple[int, int]:
        """The selection, else the sentence at the cursor, snapped to whole characters."""
        view = self.view
        start, end = view.selection or view.sentence_span
        return snap_span(self.document.text, start, end)

    def annotation_at_cursor(self) -> Annotation | None:
        """The placed annotation the cursor is on: the one `]`/`[` reached, else the first
        overlapping the selection or the cursor's sentence."""
        view = self.view
        reached = view.reached_annotation
        start, end = view.selection or view.sentence_span
        if reached is not None and reached.start < end and reached.end > start:
            return self._fresh(reached.id)
        best = None
        for ann in self.overlapping(start, end):
            if view.selection and (ann.start, ann.end) == (start, end):
                return ann
            if best is None or abs(ann.start - view.cursor) < abs(best.start - view.cursor):
                best = ann
        return best

    def _index(self, annotations: list[Annotation]) -> None:
        """Keep the annotations and the indexes that make lookups per keypress cheap."""
        self.annotations = annotations
        self._placed = sorted((a for a in annotations if a.placed), key=lambda a: a.start)
        self._starts = [a.start for a in self._placed]
        self._longest = max((a.end - a.start for a in self._placed), default=0)
        self._by_id = {a.id: a for a in annotations}

    def overlapping(self, start: int, end: int) -> list[Annotation]:
        """Placed annotations overlapping `[start, end)`, by start (no scan of the whole list)."""
        self._ensure_loaded()
        high = bisect_left(self._starts, end)
        low = bisect_left(self._starts, start - self._longest)
        return [a for a in self._placed[low:high] if a.end > start]

    def _fresh(self, annotation_id: int) -> Annotation | None:
        self._ensure_loaded()
        return self._by_id.get(annotation_id)

    def _existing_on_selection(self) -> Annotation | None:
        """The annotation covering exactly the selection (so it is not highlighted twice)."""
        selection = self.view.selection
        if selection is None:
            return None
        start, end = snap_span(self.document.text, *selection)
        return next(
            (a for a in self.overlapping(start, end) if (a.start, a.end) == (start, end)), None
        )

    # ------------------------------------------------------------------ changes and undo

    def record(self, change: Change, message: str | None = None) -> None:
        """Remember a change for undo, refresh the widgets, and say what happened."""
        self.undo_stack.append(change)
        self.redo_stack.clear()
        self.reload(change.annotation_id)
        self.notify(message or change.label, timeout=2)

    def reload(self, annotation_id: int | None = None) -> None:
        """Hand the widgets the annotations again: all read anew, or only `annotation_id`'s
        (the others are unchanged by an action on one, and re-indexing 10,000 costs a keypress:
        the screen and both panes update their indexes in place)."""
        if annotation_id is None or not self._annotations_loaded:
            if annotation_id is None:
                self._index(self.store.annotations_for(self.document_id))
            else:
                self._ensure_loaded()  # read after the change, so it holds it
            self._show_annotations()
            return
        try:
            fresh: Annotation | None = self.store.get_annotation(annotation_id)
        except NotFoundError:
            fresh = None
        old = self._by_id.get(annotation_id)
        self._replace(old, fresh)
        self.view.change_annotation(old, fresh)
        self.sidebar.change_annotation(old, fresh)
        current = self.annotation_at_cursor()
        self.sidebar.current = current.id if current else None
        self.update_status()

    def _replace(self, old: Annotation | None, fresh: Annotation | None) -> None:
        """Swap one annotation in the list and the indexes (the changed one goes last, as a
        full read after the change would not guarantee, but drawing on top wants)."""
        annotations = self.annotations
        if old is not None:
            for i in range(len(annotations) - 1, -1, -1):  # recent changes sit at the end
                if annotations[i] is old:
                    del annotations[i]
                    break
            del self._by_id[old.id]
            if old.placed:
                i = bisect_left(self._starts, old.start)
                while i < len(self._placed) and self._placed[i] is not old:
                    i += 1
                if i < len(self._placed):
                    del self._placed[i], self._starts[i]
        if fresh is not None:
            annotations.append(fresh)
            self._by_id[fresh.id] = fresh
            if fresh.placed:
                i = bisect_right(self._starts, fresh.start)
                self._placed.insert(i, fresh)
                self._starts.insert(i, fresh.start)
                self._longest = max(self._longest, fresh.end - fresh.start)

    def _ensure_loaded(self) -> None:
        """Read the annotations now if `load_annotations` has not yet."""
        if not self._annotations_loaded:
            self._annotations_loaded = True
            self._index(self.store.annotations_for(self.document_id))

    def _show_annotations(self) -> None:
        self.view.annotations = self.annotations
        self.sidebar.set_reactive(Sidebar.loading, False)
        self.sidebar.annotations = self.annotations
        current = self.annotation_at_cursor()
        self.sidebar.current = current.id if current else None
        self.update_status()

    def _apply(self, annotation_id: int, state: Annotation | None) -> None:
        """Make the stored annotation look like `state` (None: absent), in one transaction."""
        try:
            current: Annotation | None = self.store.get_annotation(annotation_id)
        except NotFoundError:
            current = None
        with self.store.bulk():
            if state is None:
                if current is not None:
                    self.store.delete_annotation(annotation_id)
            elif current is None:
                self.store.restore_annotation(state)
            else:
                self.store.update_annotation(annotation_id, note=state.note, color=state.color)
                if [t.casefold() for t in current.tags] != [t.casefold() for t in state.tags]:
                    self.store.set_annotation_tags(annotation_id, state.tags)

    def action_undo(self) -> None:
        """Undo the last change (u)."""
        if not self.undo_stack:
            self.notify("Nothing to undo", timeout=2)
            return
        change = self.undo_stack.pop()
        self._apply(change.annotation_id, change.before)
        self.redo_stack.append(change)
        self.reload(change.annotation_id)
        self.notify(f"Undone: {change.label}", timeout=2)

    def action_redo(self) -> None:
        """Redo the last undone change (ctrl+r)."""
        if not self.redo_stack:
            self.notify("Nothing to redo", timeout=2)
            return
        change = self.redo_stack.pop()
        self._apply(change.annotation_id, change.after)
        self.undo_stack.append(change)
        self.reload(change.annotation_id)
        self.notify(f"Redone: {change.label}", timeout=2)

    def create_annotation(self, *, tags: tuple[str, ...] = (), note: str = "") -> Annotation:
        """Highlight the target span (with optional tags and note) as one undoable change."""
        start, end = self.target_span()
        if self._sha256 is None:
            self._sha256 = self.document.sha256
        anchor = make_anchor(self.document.text, start, end, text_sha256=self._sha256)
        ann = self.store.add_annotation(self.document_id, anchor, tags=list(tags), note=note)
        self.view.selection = None
        what = "Highlighted" + (" #" + " #".join(ann.tags) if ann.tags else "")
        self.record(Change(ann.id, None, ann, what))
        return ann

    def edit(self, ann: Annotation, label: str, **changes: object) -> Annotation:
        """Change an annotation's note, colour or tags as one undoable change."""
        before = ann
        after = replace(ann, **changes)  # type: ignore[arg-type]
        self._apply(ann.id, after)
        self.record(Change(ann.id, before, self.store.get_annotation(ann.id), label))
        return after

    # ------------------------------------------------------------------ annotate

    def action_highlight(self) -> None:
        """Highlight the selection, else the sentence at the cursor (h)."""
        if self.view.selection:
            if self._existing_on_selection() is not None:
                self.notify("Already highlighted", timeout=2)
                self.view.selection = None
                return
        elif self.annotation_at_cursor() is not None:
            self.notify("Already highlighted: c changes its colour, d deletes it", timeout=3)
            return
        self.create_annotation()

    def action_cycle_color(self) -> None:
        """Give the highlight at the cursor the next of the five colours (c)."""
        ann = self.annotation_at_cursor()
        if ann is None:
            self.notify("No highlight here: h highlights", timeout=2)
            return
        index = COLORS.index(ann.color) if ann.color in COLORS else -1
        color = COLORS[(index + 1) % len(COLORS)]
        self.edit(ann, f"Colour: {color}", color=color)

    def _tag_target(self) -> Annotation | None:
        """The annotation a tag goes on: the one on the selection or at the cursor."""
        if self.view.selection:
            return self._existing_on_selection()
        return self.annotation_at_cursor()

    def apply_tag(self, name: str) -> None:
        """Put tag `name` on the target annotation (made if needed); toggle it off if present."""
        ann = self._tag_target()
        if ann is None:
            self.create_annotation(tags=(name,))
            return
        folded = [t.casefold() for t in ann.tags]
        if name.casefold() in folded:
            tags = [t for t in ann.tags if t.casefold() != name.casefold()]
            self.edit(ann, f"Removed #{name}", tags=tags)
        else:
            self.edit(ann, f"Tagged #{name}", tags=[*ann.tags, name])

    def action_quick_tag(self, key: int) -> None:
        """Apply the tag bound to quick key `key` (1-9)."""
        tag = next((t for t in self.store.list_tags() if t.key == key), None)
        if tag is None:
            self.notify(f"No tag on key {key} yet: t picks or creates one", timeout=3)
            return
        self.apply_tag(tag.name)

    def action_pick_tag(self) -> None:
        """Open the fuzzy tag picker; the chosen or new tag is applied (t)."""
        from tui.ui.dialogs.tags import TagPicker

        target = self._tag_target()
        applied = target.tags if target else ()

        def chosen(name: str | None) -> None:
            if name:
                self.apply_tag(name)

        self.app.push_screen(TagPicker(self.store.list_tags(), applied=applied), chosen)

    def action_note(self) -> None:
        """Edit the note of the highlight at the cursor, highlighting first if needed (a)."""
        from tui.ui.dialogs.note import NoteEditor

        existing = self._tag_target()
        ann = existing or self.create_annotation()
        annotation_id = ann.id

        def save(text: str) -> None:
            current = self.store.get_annotation(annotation_id)
            if current.note != text:
                self.edit(current, "Note saved", note=text)

        def closed(saved: str | None) -> None:
            # A highlight made only to hold a note that was never written is taken back.
            last = self.undo_stack[-1] if self.undo_stack else None
            if existing is None and saved is None and last and last.annotation_id == annotation_id:
                self.undo_stack.pop()
                self._apply(annotation_id, None)
                self.reload(annotation_id)

        editor = NoteEditor(ann.note, quote=ann.exact, title="Note", save=save)
        self.app.push_screen(editor, closed)

    def action_delete(self) -> None:
        """Delete the annotation at the cursor (d); u brings it back."""
        ann = self.annotation_at_cursor()
        if ann is None:
            self.notify("No annotation here", timeout=2)
            return
        self.store.delete_annotation(ann.id)
        self.record(Change(ann.id, ann, None, "Deleted"), "Deleted (u undoes)")

    @on(Sidebar.AnnotationChosen)
    def annotation_chosen(self, event: Sidebar.AnnotationChosen) -> None:
        """Jump to the annotation chosen in the sidebar."""
        ann = self._fresh(event.annotation_id)
        if ann is None:
            return
        if not ann.placed:
            self.notify(f"{ann.status}: this passage was not found in the current text", timeout=3)
            return
        self.view.goto(ann.start)
        self.view.focus()

    @on(Outline.HeadingChosen)
    def heading_chosen(self, event: Outline.HeadingChosen) -> None:
        """Jump to the heading chosen in the outline."""
        self.view.scroll_to_offset(event.offset)
        self.view.cursor = event.offset
        self.view.focus()

    def action_toggle_outline(self) -> None:
        """Show or hide the outline (O)."""
        outline = self.outline
        if outline.document is not self.document:
            outline.document = self.document
            outline.position = self._position
        if not outline.has_headings:
            self.notify("This document has no headings", timeout=2)
            return
        outline.toggle_class("-hidden")

    def action_filter_tag(self) -> None:
        """Show only one tag's annotations in the sidebar; again to show all (f)."""
        from tui.ui.dialogs.tags import TagPicker

        if self.sidebar.tag_filter:
            self.sidebar.tag_filter = None
            self.update_status()
            return
        tags = self.store.list_tags()
        if not tags:
            self.notify("No tags yet: t tags a passage", timeout=2)
            return

        def chosen(name: str | None) -> None:
            if name:
                self.sidebar.tag_filter = name
                self.update_status()

        self.app.push_screen(TagPicker(tags), chosen)

    # ------------------------------------------------------------------ find

    def action_search(self) -> None:
        """Open the search bar (/)."""
        search = self._search_bar()
        if search is None:  # made on first use: one widget fewer to set up before the text
            search = Input(
                placeholder="find (Enter keeps, Esc cancels)", id="search", select_on_focus=False
            )
            self.mount(search, before=self.query_one("#status"))
        self._search_origin = self.view.cursor
        if self._search is None:  # reads the whole text: before the first keystroke
            self._search = TextSearch(self.document.text)
        search.add_class("-active")
        search.focus()
        if search.value:
            self.run_search(search.value)

    @on(Input.Changed, "#search")
    def search_changed(self, event: Input.Changed) -> None:
        """Search as the person types, once the typed character is on screen.

        The bar's own update is a layout pass, and Textual drops what else was waiting to be
        drawn in that frame: searching first left the matches for the frame after next (45 ms
        a character). Keys typed within one frame make one search, for the latest text.
        """
        if self._pending_query is None:
            self.call_after_refresh(self._run_pending_search)
        self._pending_query = event.value

    def _run_pending_search(self) -> None:
        query, self._pending_query = self._pending_query, None
        if query is not None:
            self.run_search(query)

    def run_search(self, query: str) -> None:
        """Find `query` (any case) everywhere and go to the first match after the cursor."""
        view = self.view
        if not query:
            view.matches = []
            view.current_match = None
            self.update_status()
            return
        if self._search is None:
            self._search = TextSearch(self.document.text)
        matches, self._match_overflow = self._search.find(query)
        view.matches = matches
        origin = self._search_origin if self._search_origin is not None else view.cursor
        index: int | None = bisect_left(matches, (origin, -1))
        if index == len(matches):
            index = 0 if matches else None
        self._show_match(index)

    def _show_match(self, index: int | None) -> None:
        view = self.view
        view.current_match = index
        if index is not None:
            view.goto(view.matches[index][0])
        self.update_status("" if view.matches else "no match")

    @on(Input.Submitted, "#search")
    def search_submitted(self) -> None:
        """Enter: keep the matches and go back to reading."""
        self._run_pending_search()
        self._close_search()

    def _search_bar(self) -> Input | None:
        bars = self.query("#search").results(Input)
        return next(bars, None)

    def _close_search(self) -> None:
        search = self._search_bar()
        if search is not None:
            search.remove_class("-active")
        self._search_origin = None
        self.view.focus()

    def key_escape(self) -> None:
        """Escape in the search bar cancels the search and returns to where it started."""
        search = self._search_bar()
        if search is not None and search.has_focus:
            self._pending_query = None
            origin = self._search_origin
            search.value = ""
            self.view.matches = []
            self.view.current_match = None
            self._close_search()
            if origin is not None:
                self.view.goto(origin)
            self.update_status()

    def action_next_match(self) -> None:
        """Go to the next match (n)."""
        self._step_match(1)

    def action_previous_match(self) -> None:
        """Go to the previous match (N)."""
        self._step_match(-1)

    def _step_match(self, step: int) -> None:
        view = self.view
        if not view.matches:
            self.notify("No search: / finds", timeout=2)
            return
        count = len(view.matches)
        current = view.current_match
        sentence_start, sentence_end = view.sentence_span
        if current is not None and sentence_start <= view.matches[current][0] < sentence_end:
            # Still on the match n/N last showed: step from it, not from the sentence start.
            self._show_match((current + step) % count)
            return
        starts = [s for s, _ in view.matches]
        cursor = view.cursor
        if step > 0:
            index = bisect_right(starts, cursor) % count
        else:
            index = (bisect_left(starts, cursor) - 1) % count
        self._show_match(index)

    # ------------------------------------------------------------------ copy and export

    def citation(self, quote: str) -> str:
        """A quote as Markdown with a citation line (title, source)."""
        lines = "\n".join("> " + line if line else ">" for line in quote.splitlines() or [""])
        source = self.document.source if self.document.source not in ("", "-") else ""
        cite = f"— {self.document.title}" + (f", {source}" if source else "")
        return f"{lines}\n\n{cite}\n"

    def action_copy(self) -> None:
        """Copy the selection, else the annotation or sentence here, with a citation (y)."""
        view = self.view
        if view.selection:
            start, end = self.target_span()
        else:
            ann = self.annotation_at_cursor()
            start, end = (ann.start, ann.end) if ann else self.target_span()
        quote = self.document.text[start:end]
        self.app.copy_to_clipboard(self.citation(quote))
        self.notify(f"Copied “{excerpt(quote, 40)}” with its citation", timeout=3)

    def action_export(self) -> None:
        """Open the export dialog (e)."""
        from pathlib import Path

        from tui.ui.dialogs.export import ExportDialog

        def chosen(request: ExportRequest | None) -> None:
            if request is not None:
                self.run_export(request)

        dialog = ExportDialog(
            document_title=self.document.title,
            tags=self.store.list_tags(),
            default_dir=Path.cwd(),
        )
        self.app.push_screen(dialog, chosen)

    def run_export(self, request: ExportRequest) -> None:
        """Export as the dialog asked: to a file, or to the clipboard."""
        from tui.export import export
        from tui.fileio import write_atomically
        from tui.library import export_items

        this_document = request.scope == "document"
        ids = [self.document_id] if this_document else None
        items = export_items(self.store, ids, list(request.tags), keep_bare=this_document)
        text = export(request.fmt, items)
        count = sum(len(anns) for _, anns in items)
        fmt, path = request.fmt, request.path
        if path is None:
            self.app.copy_to_clipboard(text)
            self.notify(f"Copied {count} annotation(s) as {fmt}", timeout=3)
            return
        try:
            write_atomically(path, text)
        except OSError as exc:
            self.notify(f"Export failed: {exc.strerror or exc}", severity="error", timeout=6)
            return
        self.notify(f"Exported {count} annotation(s) to {path}", timeout=4)
