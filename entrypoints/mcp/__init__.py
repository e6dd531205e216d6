"""The Data Agent: the use cases as MCP tools, served over stateless streamable HTTP."""
