"""The screens of margin's user interface; each is the controller of one view."""
