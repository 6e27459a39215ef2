"""The Qt user interface: thin views over the core's queries and operations."""
