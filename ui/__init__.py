"""The PySide6 desktop surfaces: tray, quick capture, windows (coming with the tray app)."""
