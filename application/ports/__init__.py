"""Ports: the interfaces the use cases need, one module per role, as typing.Protocol."""
