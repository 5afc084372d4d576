"""The parts of the daily reflection window (ui/reflection_window.py puts them together)."""
