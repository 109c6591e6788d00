"""Service contracts (服务合同) screens."""
