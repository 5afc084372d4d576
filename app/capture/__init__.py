"""Quick capture: the one-line capture language and its parser."""
