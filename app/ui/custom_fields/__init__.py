"""Rendering the administrator's custom fields (自定义字段) on record forms."""
