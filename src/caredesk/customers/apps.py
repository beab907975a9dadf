from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "caredesk.customers"
    label = "customers"
    verbose_name = "Customers"
