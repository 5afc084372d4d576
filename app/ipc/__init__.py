"""The tray's local socket: its JSON-lines protocol and the plain-socket client the CLI uses."""
