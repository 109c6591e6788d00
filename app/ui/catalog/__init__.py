"""The product catalog screens (产品目录)."""
