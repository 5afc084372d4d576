"""Wise as the desktop sees it: the menu entry, the icons (hicolor theme) and the AppStream
metainfo. The files live beside this module, so they travel in the wheel and the bundle;
`wise install-desktop` installs them for one user, the .deb for everyone."""

APP_ID = "org.wise.companion"  # the desktop-file ID, the icon name and the AppStream ID
