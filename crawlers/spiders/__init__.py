"""fundwatch spiders, one per kind of source, all built on Scrapy's own spider classes."""

from crawlers.spiders.adhoc import AdhocSpider
from crawlers.spiders.feed import FeedSpider
from crawlers.spiders.listing import ListingSpider
from crawlers.spiders.page import PageSpider
from crawlers.spiders.sitemap import NewsSitemapSpider

SPIDERS = {
    "feed": FeedSpider,
    "sitemap": NewsSitemapSpider,
    "listing": ListingSpider,
    "page": PageSpider,
    "auto": AdhocSpider,
}

__all__ = ["SPIDERS", "AdhocSpider", "FeedSpider", "ListingSpider", "NewsSitemapSpider", "PageSpider"]
