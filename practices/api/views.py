from rest_framework import generics

from ..models import Practice


class PracticeListAPIView(generics.ListAPIView):
    queryset = Practice.objects.published().for_listing()


class PracticeDetailAPIView(generics.RetrieveAPIView):
    queryset = Practice.objects.published().for_detail()
    lookup_field = "slug"
