"""The sales plans (销售计划) screen."""
