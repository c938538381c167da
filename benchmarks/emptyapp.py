"""The floor for any Textual program: an app that shows one line of text (a baseline)."""

from textual.app import App, ComposeResult
from textual.widgets import Static

TEXT = "margin benchmark: an empty Textual app"


class EmptyApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Static(TEXT)


if __name__ == "__main__":
    EmptyApp().run()
