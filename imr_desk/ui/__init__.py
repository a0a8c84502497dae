"""The desktop app: widgets, the page view, and the controller that wires them to the store."""
