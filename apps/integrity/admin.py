from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from apps.integrity.models import SignalRule
from apps.integrity.rules import RuleError, check_params, params_for, rule_text


class SignalRuleForm(forms.ModelForm):
    class Meta:
        model = SignalRule
        fields = ["name", "description", "params", "active"]

    def clean_params(self):
        params = self.cleaned_data["params"]
        try:
            return check_params(self.instance.code, params)
        except RuleError as exc:
            raise forms.ValidationError(str(exc)) from None


@admin.register(SignalRule)
class SignalRuleAdmin(admin.ModelAdmin):
    form = SignalRuleForm
    list_display = ["code", "name", "params", "active", "updated_at"]
    list_editable = ["active"]
    readonly_fields = ["code", "rule", "updated_at"]
    fields = ["code", "name", "description", "params", "rule", "active", "updated_at"]

    @admin.display(description=_("rule with its thresholds"))
    def rule(self, obj):
        return rule_text(obj.code, params_for(obj.code, obj.params)) if obj.pk else ""

    def has_add_permission(self, request):
        # The six codes are fixed by the code that counts them; the migration seeds one row each.
        return False

    def has_delete_permission(self, request, obj=None):
        return False
