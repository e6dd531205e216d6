"""AWS Lambda handlers behind API Gateway."""
