"""Conversation memory adapters (the ConversationMemory port): in process, in PostgreSQL, and
in Amazon Bedrock AgentCore Memory. Not to be confused with `adapters.memory`, the in-memory
data store of the memory profile."""
