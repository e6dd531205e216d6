"""Adapters to Amazon Bedrock AgentCore's data plane."""
