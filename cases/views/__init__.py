from .pages import HomeView

__all__ = ["HomeView"]
