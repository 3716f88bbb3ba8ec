from phongdich.lib.errors import DomainError as TracingError

__all__ = ["TracingError"]
