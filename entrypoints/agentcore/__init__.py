"""The Ticket Agent as an AgentCore Runtime app (HTTP protocol: POST /invocations, GET /ping)."""
