"""Street addresses in the conventions of the common postal systems: a house number before an
English street type (USPS Publication 28 suffixes and the British/Australian ones), a street
type before or after the name in German, Dutch, French, Spanish and Italian, with flat/suite
designators. A gazetteer-free pattern: the NER model adds places it knows."""

from __future__ import annotations

import regex

from consent.pii.spans import Span


def _words(text: str) -> list[str]:
    return text.split()


# USPS Publication 28, appendix C1 (primary street suffixes), plus British types; then the
# Australia Post / AS 4590 street types.
EN_SUFFIXES = _words("""
Alley Aly Annex Arcade Avenue Ave Av Bayou Beach Bend Bluff Bluffs Bottom Boulevard Blvd Branch
Bridge Brook Brooks Burg Burgs Bypass Camp Canyon Cape Causeway Center Centre Centers Circle Cir
Circles Circuit Cliff Cliffs Close Club Common Commons Corner Corners Course Court Ct Courts Cove
Coves Creek Crescent Cres Crest Crossing Crossroad Crossroads Curve Dale Dam Divide Drive Dr
Drives Esplanade Estate Estates Expressway Expy Extension Extensions Fall Falls Ferry Field Fields
Flat Flats Ford Fords Forest Forge Forges Fork Forks Fort Freeway Fwy Garden Gardens Gateway
Glen Glens Green Greens Grove Groves Harbor Harbors Harbour Haven Heights Highway Hwy Hill Hills
Hollow Inlet Island Islands Isle Junction Junctions Key Keys Knoll Knolls Lake Lakes Land
Landing Lane Ln Light Lights Loaf Lock Locks Lodge Loop Mall Manor Manors Meadow Meadows Mews
Mill Mills Mission Motorway Mount Mountain Mountains Neck Orchard Oval Overpass Parade Park Parks
Parkway Pkwy Parkways Pass Passage Path Pike Pine Pines Place Pl Plain Plains Plaza Point Points
Port Ports Prairie Promenade Quay Radial Ramp Ranch Rapid Rapids Rest Ridge Ridges Rise River
Road Rd Roads Route Row Rue Run Shoal Shoals Shore Shores Skyway Spring Springs Spur Spurs
Square Sq Squares Station Stravenue Stream Street St Streets Summit Terrace Ter Throughway Trace
Track Trafficway Trail Trl Trailer Tunnel Turnpike Underpass Union Unions Valley Valleys Via
Viaduct View Views Village Villages Ville Vista Walk Walks Wall Way Ways Well Wells Wharf Wynd
""") + _words("""
Access Alleyway Amble Anchorage Approach Artery Basin Brace Brae Broadway Brow Byway Centreway
Chase Circlet Circus Colonnade Concourse Copse Courtyard Cross Crossway Cruiseway Cutting Dell
Deviation Distributor Driveway Elbow Entrance Fairway Firetrail Footway Foreshore Formation
Frontage Gate Gates Glade Grange Ground Gully Highroad Interchange Intersection Laneway Lees
Lookout Meander Mew Nook Outlook Parklands Pathway Piazza Plateau Pocket Quad Quadrangle Quadrant
Quays Ramble Range Reach Reserve Retreat Ride Ridgeway Riverway Riviera Roadside Roadway Ronde
Rosebowl Rotary Round Siding Slope Sound Stairs Steps Strand Strip Subway Tarn Thoroughfare
Tollway Tor Towers Triangle Trunkway Vale Villas Wade Walkway Yard End Edge Front Line Top
Link Block Turn Part Follow Gap Break Dip Upper Lower Little Key Ring
""")

_WORD = r"(?:\p{Lu}[\p{L}\p{M}'’.-]{0,40}|\d{1,4}(?:st|nd|rd|th))"  # "Oak", "5th"
_UNIT = (r"(?:,?\s+(?:Apt|Apartment|Suite|Ste|Unit|Flat|Floor|Fl|Room|Rm|Bldg|Building|Level"
         r"|Piso|Puerta|Piano|Appartamento|Étage|Bus|Stiege|Tür|Top)\.?\s*#?\s*[\p{L}\p{N}-]{1,6})")  # noqa: E501
_UNIT_BEFORE = r"(?:(?:Flat|Unit|Apartment|Apt|Suite|Studio|Level)\.?\s*[\p{L}\p{N}]{1,5},?\s+)"
_NUMBER = r"\d{1,6}[A-Za-z]?(?:[-/]\d{1,5}[A-Za-z]?)?"

# "4821 Oak Street Apt. 5", "Flat 3, 12 Church Lane", "12 N Main St"
ENGLISH = regex.compile(
    rf"(?<![\w.-])(?:{_UNIT_BEFORE}(?:{_NUMBER},?\s+)?|{_NUMBER},?\s+)"
    r"(?:(?:[NSEW]|North|South|East|West)\.?\s+)?"
    rf"(?:{_WORD}\s+){{0,4}}(?:{'|'.join(EN_SUFFIXES)})\b\.?{_UNIT}?"
)
# "Hauptstraße 5", "Karl-Marx-Allee 12a", "Van Bergenstraat 7", "Ringstr. 4/2"
GERMANIC = regex.compile(
    rf"(?<![\w-])(?:(?:[Vv]an|[Dd]e|[Dd]en|[Dd]er|[Vv]on|[Aa]m|[Aa]n|[Ii]m|[Zz]um|[Zz]ur|{_WORD})[\s-]+){{0,4}}"
    r"[\p{L}\p{M}-]{0,40}(?i:stra(?:ß|ss)e|str\.|gasse|platz|ring|weg|allee|damm|ufer|chaussee|steig"
    r"|straat|laan|plein|gracht|kade|dijk|singel|steeg|hof|pad|dreef|markt|baan|boulevard|wal"
    r"|kanaal|veld|erf|lei|vej|gade|gatan|vägen|gata|veien)"
    rf"\s+{_NUMBER}(?!\w){_UNIT}?"
)
_ROMANCE_TYPES = (r"rue|avenue|av\.|boulevard|bd|chemin|allée|impasse|place|quai|route|cours|passage"  # noqa: E501
                  r"|square|voie|sentier|faubourg|calle|c/|avenida|avda\.|paseo|plaza|camino|carretera"
                  r"|ronda|rambla|travesía|vía|via|viale|piazza|piazzale|corso|vicolo|largo|contrada"
                  r"|borgo|strada|rotonda|stretto|canale|incrocio|acceso|alameda|bajada|callejón"
                  r"|cañada|cuesta|glorieta|pasadizo|pasaje|urbanización|praça|rua|travessa|avinguda"
                  r"|vial|c\.|pl\.|ctra\.|p\.º|av\.|avda")
_PARTICLE = r"(?:de|del|della|delle|dei|degli|di|da|du|des|la|le|les|los|las|el|y|e|à|l['’]|d['’])"
# "12, rue de la Paix", "Calle de Alcalá, 45", "Via Roma 10", "Paseo Ana María Gil 36 Puerta 5"
ROMANCE = regex.compile(
    rf"(?<![\w-])(?:\d{{1,5}}(?:\s?(?:bis|ter))?,?\s+)?(?i:(?<type>{_ROMANCE_TYPES}))"
    rf"(?:\s+{_PARTICLE})*(?:\s*{_WORD}(?:\s+{_PARTICLE})*){{1,5}}"
    rf"(?:,?\s*(?:n\.?º?\s*)?{_NUMBER}(?!\w){_UNIT}?)?"
)
# Street types that are also English words ("via", "place", "route") count only with a number.
_AMBIGUOUS_TYPES = {
    "via",
    "place",
    "route",
    "passage",
    "square",
    "cours",
    "plaza",
    "c.",
    "pl.",
    "strada",
    "canale",
    "largo",
    "borgo",
    "acceso",
    "ronda",
    "rambla",
    "e",
}


def find(text: str) -> list[Span]:
    spans = []
    for pattern in (ENGLISH, GERMANIC, ROMANCE):
        for m in pattern.finditer(text):
            value = m[0].rstrip(" ,.")
            ambiguous = pattern is ROMANCE and m["type"].lower() in _AMBIGUOUS_TYPES
            if ambiguous and not any(c.isdigit() for c in value):
                continue
            spans.append(Span(m.start(), m.start() + len(value), "STREET_ADDRESS"))
    return spans
