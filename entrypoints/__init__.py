"""Driving adapters: HTTP, CLI (later MCP, AgentCore, Lambda). Thin: parse, call, render."""
