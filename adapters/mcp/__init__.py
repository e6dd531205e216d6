"""MCP clients: the Ticket Agent's way to the Data Agent."""
