"""Reasoners: Amazon Bedrock Converse (a language model), deterministic rules that work offline,
and a fallback that answers with the rules while the model is failing."""
