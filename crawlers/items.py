"""The article item that spiders yield and pipelines fill in and store."""

import scrapy


class ArticleItem(scrapy.Item):
    # set by the spider from the response
    url = scrapy.Field()            # as fetched (after redirects)
    requested_url = scrapy.Field()  # before redirects
    source = scrapy.Field()
    source_lang = scrapy.Field()    # the source's language hint
    html = scrapy.Field()           # decoded page (str)
    http_status = scrapy.Field()
    encoding = scrapy.Field()
    fetched_at = scrapy.Field()
    hint_published = scrapy.Field()  # date given by the feed or sitemap, if any
    hint_title = scrapy.Field()
    # set by ExtractPipeline
    canonical_url = scrapy.Field()
    title = scrapy.Field()
    published = scrapy.Field()
    authors = scrapy.Field()
    lang = scrapy.Field()
    text = scrapy.Field()
