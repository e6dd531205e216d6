"""The Ticket Agent's conversations: what a turn answers, and how answers are read from tools."""
