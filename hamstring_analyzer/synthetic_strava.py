"""Strava archives of other eras and languages, for `synthetic_exports.strava_archive`.

Layouts as real archives in public repositories show them (see `readers.strava_csv`):
the pre-2019 10 lower-case columns (metres, ISO dates), and the localized headers,
activity types, dates (UTC, in the language's words) and numbers (the first Distance
in km with the language's decimal comma; the later "raw" columns with a decimal
point), and Strava's untranslated HTML in some header cells. Its own module: as a
section it would take `synthetic_exports` past its length. Rows are built from an
`synthetic_exports.Outing` (read by its attributes, not imported: that module imports this one).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # an annotation only; `synthetic_exports` imports this module
    from .synthetic_exports import Outing

#: The columns a localized layout writes, by role, in the archive's order.
_ROLES = ("id", "date", "name", "type", "description", "elapsed", "distance_km", "commute", "filename",
          "elapsed_raw", "moving", "distance_m", "climb", "cadence", "hr", "rpe", "commute_raw")  # fmt: skip
_MONTHS = {
    "fr": ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."),
    "es": ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"),
    "it": ("gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic"),
    "nl": ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
    "pt": ("jan.", "fev.", "mar.", "abr.", "mai.", "jun.", "jul.", "ago.", "set.", "out.", "nov.", "dez."),
}
_KINDS = ("Run", "Trail Run", "Virtual Run", "Ride", "Walk", "Hike", "Swim")


def strava_date_writer(lang: str):
    """How an archive in ``lang`` (a `STRAVA_LAYOUTS` key's language, or ``"2018"``) writes a UTC instant."""

    def write(t: dt.datetime) -> str:
        t = t.astimezone(dt.timezone.utc)
        if lang == "de":
            return t.strftime("%d.%m.%Y, %H:%M:%S")  # 09.12.2022, 15:24:49
        if lang == "2018":
            return t.strftime("%Y-%m-%d %H:%M:%S")
        month = _MONTHS[lang][t.month - 1]
        if lang == "pt":
            return f"{t.day} de {month} de {t.year}, {t:%H:%M:%S}"  # 23 de ago. de 2026, 07:18:50
        if lang == "es":
            return f"{t.day} {month} {t.year}, {t.hour}:{t:%M:%S}"  # 23 jun 2026, 6:14:26
        return f"{t.day} {month} {t.year}, {t:%H:%M:%S}"  # 11 ago 2014, 16:27:28

    return write


@dataclass(frozen=True)
class StravaLayout:
    """One older or localized ``activities.csv``: its header (by `_ROLES`, or the legacy columns), type names and formats."""

    header: list[str]
    types: dict[str, str]
    lang: str
    comma: bool = True

    def row(self, o: Outing, aid: int, filename: str) -> list[str]:
        kind = self.types.get(o.strava_type, o.strava_type)
        date = strava_date_writer(self.lang)(o.start_utc)
        s = o.samples
        if self.lang == "2018":  # id,date,name,type,description,elapsed_time,distance,commute,gear,filename
            return [str(aid), date, f"{kind} {aid}", kind, "", str(int(round(o.elapsed_s))), f"{o.distance_m:.1f}",
                    "true" if o.commute else "false", "", filename]  # fmt: skip
        km = f"{o.distance_m / 1000.0:.2f}"
        values = {
            "id": str(aid), "date": date, "name": f"{kind} {aid}", "type": kind, "description": "",
            "elapsed": str(int(round(o.elapsed_s))), "distance_km": km.replace(".", ",") if self.comma else km,
            "commute": "true" if o.commute else "false", "filename": filename, "elapsed_raw": f"{o.elapsed_s:.1f}",
            "moving": f"{o.moving_s:.1f}", "distance_m": f"{o.distance_m:.1f}", "climb": "",
            "cadence": f"{float(np.mean(s.cad)) / 2:.1f}" if s is not None else "",
            "hr": f"{float(np.mean(s.hr)):.1f}" if s is not None else "",
            "rpe": "" if o.rpe is None else f"{o.rpe:.1f}", "commute_raw": "1.0" if o.commute else "0.0",
        }  # fmt: skip
        return [values[r] for r in _ROLES]


def _untranslated(lang: str, key: str, text: str) -> str:
    return f'<span class="translation_missing" title="translation missing: {lang}.activities.export.csv.{key}">{text}</span>'


_DE = ["Aktivitäts-ID", "Aktivitätsdatum", "Name der Aktivität", "Aktivitätsart", "Aktivitätsbeschreibung", "Verstrichene Zeit",
       "Distanz", "Pendeln", "Dateiname", "Verstrichene Zeit", "Bewegungszeit", "Distanz", "Höhenzunahme",
       "Durchschnittliche Trittfrequenz", "Durchschnittliche Herzfrequenz", "Gefühlte Anstrengung", "Pendeln"]  # fmt: skip
_DE_TYPES = dict(zip(_KINDS, ("Lauf", "Traillauf", "Virtueller Lauf", "Radfahrt", "Spaziergang", "Wanderung", "Schwimmen")))
#: The older and localized layouts `strava_archive` writes, by era.
STRAVA_LAYOUTS: dict[str, StravaLayout] = {
    "2018": StravaLayout(["id", "date", "name", "type", "description", "elapsed_time", "distance", "commute", "gear", "filename"],
                         {}, "2018", comma=False),
    "de": StravaLayout(_DE, _DE_TYPES, "de"),
    "de-html": StravaLayout([_untranslated("de-DE", "elapsed_time", "Elapsed Time") if c == "Verstrichene Zeit"
                             else _untranslated("de-DE", "moving_time", "Moving Time") if c == "Bewegungszeit"
                             else _untranslated("de-DE", "perceived_exertion", "Perceived Exertion") if c == "Gefühlte Anstrengung"
                             else c for c in _DE], _DE_TYPES, "de"),
    "fr": StravaLayout(["ID de l'activité", "Date de l'activité", "Nom de l'activité", "Type d'activité", "Description de l'activité",
                        "Temps écoulé", "Distance", "Déplacement-transport", "Nom du fichier", "Temps écoulé", "Durée de déplacement",
                        "Distance", "Dénivelé positif", "Cadence moyenne", "Fréquence cardiaque moyenne", "Effort perçu",
                        "Déplacement-transport"],
                       dict(zip(_KINDS, ("Course à pied", "Trail", "Course à pied virtuelle", "Vélo", "Marche", "Randonnée", "Natation"))),
                       "fr"),
    "es": StravaLayout(["ID de actividad", "Fecha de la actividad", "Nombre de la actividad", "Tipo de actividad",
                        "Descripción de la actividad", "Tiempo transcurrido", "Distancia", "Desplazamiento", "Nombre del archivo",
                        "Tiempo transcurrido", "Tiempo en movimiento", "Distancia", "Desnivel positivo", "Cadencia media",
                        "Frecuencia cardíaca media", "Esfuerzo Percibido", "Desplazamiento"],
                       dict(zip(_KINDS, ("Carrera", "Carrera por montaña", "Carrera virtual", "Bicicleta", "Caminata", "Senderismo",
                                         "Natación"))), "es"),
    "it": StravaLayout(["ID attività", "Data dell’attività", "Nome attività", "Tipo attività", "Descrizione dell’attività",
                        "Tempo trascorso", "Distanza", "Tragitto casa-lavoro", "Nome del file", "Tempo trascorso", "Tempo in movimento",
                        "Distanza", "Dislivello positivo", "Cadenza media", "Frequenza cardiaca media", "Sforzo percepito",
                        "Tragitto casa-lavoro"],
                       dict(zip(_KINDS, ("Corsa", "Trail running", "Corsa virtuale", "Giro in bici", "Camminata", "Escursionismo", "Nuoto"))),
                       "it"),
    "nl": StravaLayout(["Activiteits-ID", "Datum van activiteit", "Naam activiteit", "Activiteitstype", "Beschrijving activiteit",
                        "Verstreken tijd", "Afstand", "Woon-werkverkeer", "Bestandsnaam", "Verstreken tijd", "Beweegtijd", "Afstand",
                        "Totale stijging", "Gemiddelde cadans", "Gemiddelde hartslag", "Ervaren inspanning", "Woon-werkverkeer"],
                       dict(zip(_KINDS, ("Hardloopsessie", "Trailrunsessie", "Virtuele hardloopsessie", "Fietsrit", "Wandeling", "Hike",
                                         "Zwemmen"))), "nl"),
    "pt": StravaLayout(["ID da atividade", "Data da atividade", "Nome da atividade", "Tipo de atividade", "Descrição da atividade",
                        "Tempo decorrido", "Distância", "Deslocamento", "Nome do arquivo", "Tempo decorrido", "Tempo de movimentação",
                        "Distância", "Ganho de elevação", "Cadência média", "Frequência cardíaca média", "Esforço percebido",
                        "Deslocamento"],
                       dict(zip(_KINDS, ("Corrida", "Corrida em trilha", "Corrida virtual", "Pedalada", "Caminhada", "Trilha", "Natação"))),
                       "pt"),
}  # fmt: skip
