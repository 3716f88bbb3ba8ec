from phongdich.checkpoints.errors import CheckpointError as TracingError

__all__ = ["TracingError"]
