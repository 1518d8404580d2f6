"""The dashboard's waiting rooms (registered in dashboards.sites): turn a show's queue on
or off and set its rate; the page shows the queue live (length, rate, admitted so far),
polling the API's JSON every 2 seconds."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from venue_apps.waiting_room import selectors, services
from venue_apps.waiting_room.models import QueueSettings

_EDITABLE = [
    "enabled",
    "admissions_per_second",
    "auto_enable_arrivals_per_second",
    "auto_enable_seconds",
    "admission_ttl_seconds",
]

_POLL = """
<script>
(function () {
  var box = document.getElementById("queue-live-%(show)s");
  function tick() {
    fetch("/api/v1/shows/%(show)s/queue-settings/", {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) {
        if (!d) return;
        box.querySelector("[data-live=state]").textContent = d.active ? "on" : "off";
        box.querySelector("[data-live=waiting]").textContent = d.waiting;
        box.querySelector("[data-live=admitted]").textContent = d.admitted;
        box.querySelector("[data-live=rate]").textContent = d.admissions_per_second;
      })
      .finally(function () { setTimeout(tick, 2000); });
  }
  setTimeout(tick, 2000);
})();
</script>
"""


class QueueSettingsAdmin(admin.ModelAdmin):
    list_display = ["show", "enabled", "admissions_per_second", "queue_now"]
    list_select_related = ["show", "show__title"]
    fields = ["show", *_EDITABLE, "queue_live"]
    readonly_fields = ["queue_live"]
    autocomplete_fields: list[str] = []
    raw_id_fields = ["show"]

    def get_readonly_fields(self, request, obj=None):
        return ["show", "queue_live"] if obj else ["queue_live"]

    @admin.display(description="Queue now")
    def queue_now(self, obj: QueueSettings) -> str:
        live = selectors.queue_live(obj.show_id)
        state = "on" if live.active else "off"
        return f"{state}: {live.waiting} waiting, {live.admitted} admitted"

    @admin.display(description="Live")
    def queue_live(self, obj: QueueSettings | None) -> str:
        if obj is None or obj.pk is None:
            return "-"
        live = selectors.queue_live(obj.show_id)
        return format_html(
            '<div id="queue-live-{}" data-queue-live>'
            'Queue <strong data-live="state">{}</strong> · '
            '<strong data-live="waiting">{}</strong> waiting · '
            '<strong data-live="admitted">{}</strong> admitted so far · '
            '<strong data-live="rate">{}</strong> admissions a second</div>{}',
            obj.show_id,
            "on" if live.active else "off",
            live.waiting,
            live.admitted,
            live.admissions_per_second,
            mark_safe(_POLL % {"show": int(obj.show_id)}),  # noqa: S308 - our own script, an int in it
        )

    def save_model(self, request, obj, form, change) -> None:
        saved = services.queue_settings_update(
            obj.show_id,
            actor=request.user,
            **{name: form.cleaned_data[name] for name in _EDITABLE if name in form.cleaned_data},
        )
        obj.pk = saved.pk

    def delete_model(self, request, obj) -> None:
        services.queue_settings_update(obj.show_id, actor=request.user, enabled=False)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
