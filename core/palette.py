"""One colour per provider, the same on every page and in the email: the Okabe–Ito palette, designed to stay
distinct for people with the common colour-vision deficiencies (and in greyscale, by lightness)."""

from __future__ import annotations

# Okabe & Ito, "Color Universal Design" (2008). Yellow and black are left out: yellow vanishes on white, black on
# the dark theme. Neighbours that used to look alike (Anthropic/Apify, OpenAI/Deepgram) get opposite hues.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
PROVIDER_COLOURS = {
    "openai": OKABE_ITO["bluish_green"],
    "anthropic": OKABE_ITO["vermillion"],
    "elevenlabs": OKABE_ITO["blue"],
    "deepgram": OKABE_ITO["reddish_purple"],
    "openrouter": OKABE_ITO["orange"],
    "apify": OKABE_ITO["sky_blue"],
}
ACCENT = "#4F6BED"  # the app's own colour (one series: the Overview's spending)
FALLBACK = "#7F7F7F"


def colour(provider: str) -> str:
    return PROVIDER_COLOURS.get(provider, FALLBACK)
