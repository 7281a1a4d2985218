"""Keep derived columns in step with every write, whatever path it came by."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Agency, Arrest, ArrestCharge, ChargeCategory, Detainer, Individual, Report
from .services import derive, rollups


@receiver([post_save, post_delete], sender=Arrest)
@receiver([post_save, post_delete], sender=Detainer)
def individual_records_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        derive.individual_changed(instance.individual_id)


@receiver([post_save, post_delete], sender=ArrestCharge)
def charge_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    arrest = instance._state.fields_cache.get("arrest")  # saves a query per charge on bulk paths
    if arrest is not None and arrest.pk == instance.arrest_id:
        individual_id = arrest.individual_id
    else:
        individual_id = Arrest.objects.filter(pk=instance.arrest_id).values_list("individual_id", flat=True).first()
    derive.individual_changed(individual_id)


@receiver(post_save, sender=Report)
def report_changed(sender, instance, raw=False, created=False, **kwargs):
    if not raw and not created:
        derive.refresh_report(instance)


@receiver(post_save, sender=Agency)
def agency_changed(sender, instance, raw=False, created=False, **kwargs):
    if not raw and not created:
        derive.agency_changed(instance)


@receiver(post_save, sender=Individual)
def individual_changed(sender, instance, raw=False, created=False, **kwargs):
    if not raw and not created:
        derive.individual_changed_citizenship(instance)


@receiver(post_save, sender=ChargeCategory)
def category_changed(sender, instance, raw=False, created=False, update_fields=None, **kwargs):
    if not raw and not created:
        derive.category_changed(instance)


@receiver([post_save, post_delete], sender=Detainer)
def case_moved(sender, instance, raw=False, **kwargs):
    """The rollups count a case under its (report, agency): the pair it had when loaded (or
    last saved) and the pair it has now are both recounted."""
    if not raw:
        loaded = getattr(instance, "_loaded_pair", None) or (None, None)
        now = (instance.report_id, instance.declining_agency_id)
        rollups.touch(pairs={loaded, now})
        # An object saved again after a move (created here, not loaded) moves from here.
        instance._loaded_pair = now
