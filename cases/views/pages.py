"""Plain pages: home and about."""

from django.views.generic import TemplateView

from ..models import Report


class HomeView(TemplateView):
    template_name = "cases/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["reports"] = Report.objects.published()
        return context
