"""Management department screens (管理部): the confirmation queue and work tasks."""
