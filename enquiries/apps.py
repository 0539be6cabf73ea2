from django.apps import AppConfig


class EnquiriesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "enquiries"
    verbose_name = "Enquiries"

    def ready(self):
        # The form pages get their behaviour from the modules above the models (README, Layout).
        from enquiries import admin_views, forms, submissions, views
        from enquiries.models import EnquiryFormPage

        EnquiryFormPage.connect_services(
            serve=views.serve_form_page,
            form_class=forms.enquiry_form_class,
            store=submissions.store,
            submissions_list_view=admin_views.EnquirySubmissionsListView,
        )
