"""Synthetic demo data: realistic, clearly labelled country files calibrated to SCORE's published figures.

`python -m score demo` writes, per country, `data/countries/<ISO3>/{enterprises,training,indicators,logframe}.csv`
plus a `DEMO_DATA.txt` marker (the build shows a "demo data" notice while it is present), and the
reference files `data/reference/targets.csv` and `funding.csv`.

Calibration is by construction, not by luck of the seed: Phase I (enterprises joined 2009-01-01 to
2013-09-30) has exactly the enterprise count set in COUNTRIES, its workforce is scaled to an exact total,
the people-trained teams are adjusted to exact totals (and managers/women shares), the yes/no outcome
shares are assigned to exact counts, and follow-up values of the change indicators are adjusted unit by
unit until the summed follow-up over the summed baseline hits the published relative change.

Determinism: every random draw comes from a numpy Generator seeded with (seed, crc32 of a fixed label), so
one table or country can change without reshuffling the others; dates are computed against the fixed
AS_OF date, never today's date; the CSV output uses fixed decimals, sorted rows and "\n" line endings,
so running the generator twice gives byte-identical files.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import math
import os
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

from score import config
from score.contract import TABLES

AS_OF = dt.date(2020, 12, 31)  # the demo "today": no date in the demo set is later than this
MARKER_FILE = "DEMO_DATA.txt"
DEFAULT_SEED = 2013
COAST_MARGIN_DEG = 0.02  # points stay this far inside the (coarse, 1:110m) polygon, also after rounding

# ---------------------------------------------------------------------------------------------------
# Programme shape
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cohort:
    """Enterprises of one phase joining in one window; `until` is the last possible classroom date."""

    key: str
    phase: str
    join_from: dt.date
    join_to: dt.date
    until: dt.date


COHORTS: tuple[Cohort, ...] = (
    # SCORE Phase I ran 2009 to Sept 2013; joins stop in mid-2013 so the first module fits in the phase.
    Cohort("I", "I", dt.date(2009, 4, 1), dt.date(2013, 6, 30), dt.date(2013, 9, 30)),
    Cohort("II", "II", dt.date(2013, 10, 1), dt.date(2016, 12, 31), dt.date(2017, 12, 31)),
    Cohort("II-2017", "II", dt.date(2017, 1, 1), dt.date(2017, 9, 30), dt.date(2017, 12, 31)),
    Cohort("III", "III", dt.date(2018, 2, 1), dt.date(2020, 6, 30), AS_OF),
)
PHASE_DATES = {
    "I": (dt.date(2009, 1, 1), dt.date(2013, 9, 30)),
    "II": (dt.date(2013, 10, 1), dt.date(2017, 12, 31)),
    "III": (dt.date(2018, 1, 1), dt.date(2020, 12, 31)),
}
LATE_STARTERS = {"BOL": dt.date(2014, 1, 1), "PER": dt.date(2014, 1, 1)}  # join SCORE in Phase II, from 2014
DONORS: dict[str, tuple[str, ...]] = {
    "I": ("Switzerland (SECO)", "Norway (Norad)", "ILO"),
    "II": ("Switzerland (SECO)", "Norway (Norad)", "ILO"),
}
DONORS["III"] = ("Switzerland (SECO)", "ILO")

# Workforce at joining (sum of women and men), scaled to exact totals: 54,000 for Phase I (published),
# and 240,000 cumulative by end 2016 (published), i.e. 186,000 for the Phase II cohort joined up to 2016.
WORKERS_TOTAL = {"I": 54_000, "II": 186_000}
WOMEN_SHARE = {"I": 0.40, "II": 0.41, "III": 0.42}  # of the workforce
PHASE_SIZE_FACTOR = {"I": 1.0, "II": 1.3, "III": 1.35}  # Phase II+ enterprises are somewhat larger
MIN_WORKERS = 10

# People trained (distinct estimate) per enterprise; Phase I: 315 x 8.25 = 2,599 (published: "more than 2,400").
PEOPLE_PER_ENTERPRISE = {"I": 8.25, "II": 8.0, "III": 8.1}
MANAGERS_SHARE = 0.51  # published (2016): 51% managers, 49% workers, 30% women
TRAINEE_WOMEN_SHARE = 0.30
SATISFACTION_PRESENT = 0.80

BASELINE_SHARE = 0.95  # enterprises with a baseline
FOLLOW_UP_SHARE = 0.85  # of those whose follow-up date falls before AS_OF
# Relative change of summed follow-up vs summed baseline (published for Phase I: accidents -16%, absenteeism -3.6%).
CHANGE_TARGETS = {
    "accidents": {"I": -0.16, "II": -0.19, "III": -0.17},
    "absenteeism": {"I": -0.036, "II": -0.045, "III": -0.04},
    "defect_rate": {"I": -0.25, "II": -0.27, "III": -0.24},
    "staff_turnover": {"I": -0.075, "II": -0.08, "III": -0.07},
    "energy_use": {"I": -0.07, "II": -0.08, "III": -0.075},
}
# decimals, lower bound, upper bound, spread (sigma of the log follow-up/baseline factor)
CHANGE_FORMAT = {
    "accidents": (0, 0, 40, 0.40),
    "absenteeism": (1, 2, 12, 0.12),
    "defect_rate": (1, 1, 15, 0.45),
    "staff_turnover": (1, 5, 40, 0.15),
    "energy_use": (0, 2_000, 300_000, 0.14),
}
# Share of enterprises (with both values) whose follow-up is better than the baseline: not all improve.
IMPROVING_SHARE = {
    "accidents": 0.60,
    "absenteeism": 0.62,
    "defect_rate": 0.70,
    "staff_turnover": 0.64,
    "energy_use": 0.66,
}
# Published Phase I: 75-80% adopted good practices, 70% better relations, 40-50% cost savings.
SHARE_TARGETS = {
    "good_practices_adopted": {"I": 0.775, "II": 0.80, "III": 0.78},
    "workplace_relations_improved": {"I": 0.70, "II": 0.72, "III": 0.70},
    "cost_savings_reported": {"I": 0.45, "II": 0.48, "III": 0.46},
}

SECTOR_WOMEN = {
    "automotive_parts": 0.20,
    "garments": 0.72,
    "textiles": 0.55,
    "footwear_leather": 0.50,
    "food_beverages": 0.45,
    "agro_processing": 0.45,
    "wood_furniture": 0.18,
    "metal_products": 0.12,
    "electrical_electronics": 0.55,
    "chemicals_plastics": 0.30,
    "construction_materials": 0.10,
    "tourism_hospitality": 0.55,
    "other": 0.35,
}
SECTOR_ACCIDENT_RISK = {
    "automotive_parts": 1.3,
    "garments": 0.6,
    "textiles": 0.8,
    "footwear_leather": 0.8,
    "food_beverages": 1.0,
    "agro_processing": 1.1,
    "wood_furniture": 1.5,
    "metal_products": 1.5,
    "electrical_electronics": 0.6,
    "chemicals_plastics": 1.2,
    "construction_materials": 1.6,
    "tourism_hospitality": 0.5,
    "other": 1.0,
}
SECTOR_KWH_PER_WORKER = {  # per month
    "automotive_parts": 500,
    "garments": 120,
    "textiles": 350,
    "footwear_leather": 150,
    "food_beverages": 400,
    "agro_processing": 350,
    "wood_furniture": 250,
    "metal_products": 600,
    "electrical_electronics": 250,
    "chemicals_plastics": 700,
    "construction_materials": 900,
    "tourism_hospitality": 300,
    "other": 300,
}
MODULE_FIRST_WC = 0.80  # most enterprises start with workplace cooperation
MODULE_WEIGHTS = {"WC": 0.30, "QM": 0.30, "OSH": 0.22, "CP": 0.12, "HR": 0.06}
MODULE_COUNT_WEIGHTS = (0.22, 0.30, 0.22, 0.15, 0.11)  # 1..5 modules


@dataclass(frozen=True)
class City:
    province: str
    name: str
    lat: float
    lon: float
    weight: float
    spread: float = 0.06  # degrees (sigma of the jitter around the centre)
    sectors: tuple[tuple[str, float], ...] = ()  # overrides the country's sector mix


@dataclass(frozen=True)
class CountrySpec:
    iso3: str
    cities: tuple[City, ...]
    sectors: tuple[tuple[str, float], ...]
    partners: tuple[tuple[str, float], ...]
    median_workers: float
    counts: dict[str, int] = field(default_factory=dict)  # cohort key -> enterprises
    style: str = "en"


COUNTRIES: tuple[CountrySpec, ...] = (
    CountrySpec(
        "BOL",
        (
            City("Santa Cruz", "Santa Cruz de la Sierra", -17.7833, -63.1821, 0.45, 0.08),
            City("La Paz", "El Alto", -16.5000, -68.1900, 0.2, 0.04),
            City("La Paz", "La Paz", -16.4897, -68.1193, 0.15, 0.03),
            City("Cochabamba", "Cochabamba", -17.3895, -66.1568, 0.2, 0.05),
        ),
        (
            ("textiles", 0.2),
            ("food_beverages", 0.25),
            ("wood_furniture", 0.25),
            ("footwear_leather", 0.1),
            ("construction_materials", 0.1),
            ("garments", 0.1),
        ),
        (("Cámara Nacional de Industrias", 0.45), ("CAINCO", 0.35), ("Fundación para el Desarrollo Productivo", 0.2)),
        40,
        {"II": 45, "II-2017": 15, "III": 25},
        "es-BO",
    ),
    CountrySpec(
        "CHN",
        (
            City("Guangdong", "Dongguan", 23.0207, 113.7518, 0.3, 0.08),
            City("Guangdong", "Shenzhen", 22.5431, 114.0579, 0.15, 0.05),
            City("Jiangsu", "Suzhou", 31.2989, 120.5853, 0.25, 0.08),
            City("Zhejiang", "Ningbo", 29.8683, 121.5440, 0.1, 0.06),
            City("Chongqing", "Chongqing", 29.5630, 106.5516, 0.2, 0.12),
        ),
        (
            ("electrical_electronics", 0.35),
            ("garments", 0.25),
            ("metal_products", 0.15),
            ("automotive_parts", 0.15),
            ("chemicals_plastics", 0.1),
        ),
        (("China Enterprise Confederation", 0.45), ("ACFTU", 0.25), ("Provincial SME Service Centre", 0.3)),
        200,
        {"I": 50, "II": 110, "II-2017": 30, "III": 40},
        "zh",
    ),
    CountrySpec(
        "COL",
        (
            City("Antioquia", "Medellín", 6.2442, -75.5812, 0.35, 0.06),
            City("Bogotá D.C.", "Bogotá", 4.7110, -74.0721, 0.3, 0.07),
            City("Valle del Cauca", "Cali", 3.4516, -76.5320, 0.2, 0.05),
            City("Atlántico", "Barranquilla", 10.9685, -74.7813, 0.15, 0.04),
        ),
        (
            ("automotive_parts", 0.25),
            ("garments", 0.2),
            ("food_beverages", 0.2),
            ("chemicals_plastics", 0.1),
            ("metal_products", 0.1),
            ("footwear_leather", 0.1),
            ("wood_furniture", 0.05),
        ),
        (("SENA", 0.4), ("ANDI", 0.3), ("CUT", 0.1), ("Cámara de Comercio de Cali", 0.2)),
        85,
        {"I": 48, "II": 100, "II-2017": 25, "III": 40},
        "es-CO",
    ),
    CountrySpec(
        "GHA",
        (
            City("Greater Accra", "Accra", 5.6037, -0.1870, 0.4, 0.04),
            City("Greater Accra", "Tema", 5.6698, -0.0166, 0.25, 0.03),
            City("Ashanti", "Kumasi", 6.6885, -1.6244, 0.25, 0.05),
            City("Western", "Takoradi", 4.8845, -1.7554, 0.1, 0.04),
        ),
        (
            ("food_beverages", 0.35),
            ("agro_processing", 0.3),
            ("garments", 0.1),
            ("wood_furniture", 0.1),
            ("tourism_hospitality", 0.1),
            ("chemicals_plastics", 0.05),
        ),
        (
            ("Association of Ghana Industries", 0.4),
            ("National Board for Small Scale Industries", 0.3),
            ("Ghana Employers' Association", 0.2),
            ("Trades Union Congress", 0.1),
        ),
        45,
        {"I": 38, "II": 70, "II-2017": 20, "III": 30},
        "en-GH",
    ),
    CountrySpec(
        "IDN",
        (
            City("West Java", "Bekasi", -6.2383, 106.9756, 0.3, 0.05),
            City("West Java", "Bandung", -6.9175, 107.6191, 0.15, 0.05),
            City("Central Java", "Semarang", -6.9667, 110.4167, 0.15, 0.05),
            City("Central Java", "Jepara", -6.5887, 110.6684, 0.15, 0.05, (("wood_furniture", 1.0),)),
            City("East Java", "Surabaya", -7.2575, 112.7521, 0.25, 0.06),
        ),
        (
            ("garments", 0.35),
            ("wood_furniture", 0.2),
            ("food_beverages", 0.15),
            ("footwear_leather", 0.15),
            ("automotive_parts", 0.15),
        ),
        (("APINDO", 0.4), ("Ministry of Manpower training centre", 0.35), ("Ministry of Industry", 0.25)),
        150,
        {"I": 47, "II": 95, "II-2017": 25, "III": 35},
        "id",
    ),
    CountrySpec(
        "IND",
        (
            City("Tamil Nadu", "Chennai", 13.0827, 80.2707, 0.3, 0.06),
            City("Tamil Nadu", "Coimbatore", 11.0168, 76.9558, 0.1, 0.05),
            City("Maharashtra", "Pune", 18.5204, 73.8567, 0.3, 0.06),
            City("Haryana", "Gurugram", 28.4595, 77.0266, 0.2, 0.05),
            City("Haryana", "Faridabad", 28.4089, 77.3178, 0.1, 0.04),
        ),
        (
            ("automotive_parts", 0.5),
            ("metal_products", 0.2),
            ("textiles", 0.1),
            ("electrical_electronics", 0.1),
            ("chemicals_plastics", 0.1),
        ),
        (
            ("National Productivity Council", 0.4),
            ("ACMA", 0.35),
            ("Employers' Federation of India", 0.25),
        ),
        150,
        {"I": 52, "II": 105, "II-2017": 25},
        "en-IN",
    ),
    CountrySpec(
        "PER",
        (
            City("Lima", "Lima", -12.0464, -77.0428, 0.6, 0.06),
            City("Arequipa", "Arequipa", -16.4090, -71.5375, 0.25, 0.04),
            City("La Libertad", "Trujillo", -8.1116, -79.0288, 0.15, 0.04),
        ),
        (
            ("textiles", 0.3),
            ("garments", 0.2),
            ("food_beverages", 0.2),
            ("wood_furniture", 0.15),
            ("metal_products", 0.1),
            ("other", 0.05),
        ),
        (("SENATI", 0.5), ("Sociedad Nacional de Industrias", 0.3), ("Cámara de Comercio de Arequipa", 0.2)),
        60,
        {"II": 55, "II-2017": 20, "III": 30},
        "es-PE",
    ),
    CountrySpec(
        "VNM",
        (
            City("Hà Nội", "Hà Nội", 21.0278, 105.8342, 0.3, 0.06),
            City("Hải Phòng", "Hải Phòng", 20.8449, 106.6881, 0.1, 0.04),
            City("Đà Nẵng", "Đà Nẵng", 16.0544, 108.2022, 0.1, 0.03),
            City("Hồ Chí Minh City", "Hồ Chí Minh City", 10.8231, 106.6297, 0.35, 0.06),
            City("Bình Dương", "Thủ Dầu Một", 10.9804, 106.6519, 0.15, 0.05),
        ),
        (
            ("garments", 0.35),
            ("electrical_electronics", 0.25),
            ("wood_furniture", 0.15),
            ("food_beverages", 0.15),
            ("footwear_leather", 0.1),
        ),
        (("VCCI", 0.5), ("Vietnam General Confederation of Labour", 0.2), ("Vietnam Cleaner Production Centre", 0.3)),
        170,
        {"I": 40, "II": 90, "II-2017": 25, "III": 35},
        "vi",
    ),
    CountrySpec(
        "ZAF",
        (
            City("Gauteng", "Johannesburg", -26.2041, 28.0473, 0.3, 0.07),
            City("Gauteng", "Ekurhuleni", -26.1500, 28.3300, 0.2, 0.06),
            City("KwaZulu-Natal", "Durban", -29.8587, 31.0218, 0.25, 0.06),
            City("Western Cape", "Cape Town", -33.9249, 18.4241, 0.15, 0.05),
            City("Eastern Cape", "Gqeberha", -33.9608, 25.6022, 0.1, 0.07, (("automotive_parts", 1.0),)),
        ),
        (
            ("automotive_parts", 0.3),
            ("metal_products", 0.3),
            ("chemicals_plastics", 0.15),
            ("food_beverages", 0.1),
            ("textiles", 0.1),
            ("tourism_hospitality", 0.05),
        ),
        (
            ("Productivity SA", 0.5),
            ("National Cleaner Production Centre", 0.3),
            ("Automotive Industry Development Centre", 0.2),
        ),
        95,
        {"I": 40, "II": 75, "II-2017": 20},
        "en-ZA",
    ),
)

# ---------------------------------------------------------------------------------------------------
# Enterprise names (synthetic; an existing company of the same name would be a coincidence)
# ---------------------------------------------------------------------------------------------------

_ES_SECTOR = {
    "automotive_parts": ("Autopartes", "Partes Automotrices", "Metalmecánica Automotriz"),
    "garments": ("Confecciones", "Modas", "Prendas"),
    "textiles": ("Textiles", "Hilanderías", "Tejidos"),
    "footwear_leather": ("Calzado", "Curtiembre", "Marroquinería"),
    "food_beverages": ("Alimentos", "Lácteos", "Panificadora", "Bebidas"),
    "agro_processing": ("Agroindustrias", "Frutas Procesadas", "Molinos"),
    "wood_furniture": ("Muebles", "Maderas", "Carpintería"),
    "metal_products": ("Metalmecánica", "Estructuras Metálicas", "Fundiciones"),
    "electrical_electronics": ("Electrónica", "Eléctricos"),
    "chemicals_plastics": ("Plásticos", "Químicos", "Empaques"),
    "construction_materials": ("Cerámicas", "Materiales", "Ladrillera"),
    "tourism_hospitality": ("Hotel", "Hostal"),
    "other": ("Industrias", "Manufacturas"),
}
_ES_NAMES = (
    "Andina", "del Valle", "San José", "La Esperanza", "Santa Lucía", "El Roble", "Los Pinos", "Monteverde",
    "Horizonte", "del Pacífico", "La Montaña", "Santa Fe", "Aurora", "Cóndor", "Sol Naciente", "Río Claro",
    "Altiplano", "La Ceiba", "Primavera", "El Dorado", "San Martín", "Tres Ríos", "La Cumbre", "Nueva Era",
    "Gómez Hermanos", "Restrepo", "Quispe", "Mamani", "Vargas", "Rojas", "Salazar", "Castaño",
    "Ortiz", "Mendoza", "Paredes", "Flores", "Gutiérrez", "Arango", "Villca", "Huamán",
)  # fmt: skip
_ES_SUFFIX = {"es-CO": "S.A.S.", "es-PE": "S.A.C.", "es-BO": "S.R.L."}
_EN_SECTOR = {
    "automotive_parts": ("Auto Components", "Automotive Parts", "Precision Components"),
    "garments": ("Garments", "Apparel", "Fashions"),
    "textiles": ("Textiles", "Spinning Mills", "Fabrics"),
    "footwear_leather": ("Footwear", "Leather Works", "Shoes"),
    "food_beverages": ("Foods", "Beverages", "Bakeries", "Dairy"),
    "agro_processing": ("Agro Processing", "Agro Industries", "Cocoa Processing", "Oils"),
    "wood_furniture": ("Furniture", "Timber Works", "Woodcraft"),
    "metal_products": ("Engineering", "Metal Works", "Forgings", "Steel Fabricators"),
    "electrical_electronics": ("Electricals", "Electronics", "Switchgear"),
    "chemicals_plastics": ("Plastics", "Polymers", "Chemicals", "Packaging"),
    "construction_materials": ("Building Materials", "Bricks", "Tiles"),
    "tourism_hospitality": ("Lodge", "Hotel", "Guest House"),
    "other": ("Industries", "Manufacturing"),
}
_EN_NAMES = {
    "en-GH": (
        "Asante", "Adom", "Nyame Dua", "Golden Tree", "Sankofa", "Akwaaba", "Volta", "Osei", "Mensah",
        "Boateng", "Kente", "Ebenezer", "Owusu", "Coastal", "Savannah", "Adinkra", "Agyeman", "Ofori",
        "Amponsah", "Gye Nyame", "Tamale Star", "Anidaso", "Ampofo", "Obuasi Road", "Nkabom",
    ),
    "en-ZA": (
        "Highveld", "Ubuntu", "Protea", "Karoo", "Drakensberg", "Umhlanga", "Table Bay", "Vaal", "Mzansi",
        "Jacaranda", "Zenith", "Van Wyk", "Naidoo", "Dlamini", "Mokoena", "Botha", "Marula", "Springbok",
        "Kgalagadi", "Amandla", "Pillay", "Nkosi", "Bluegum", "Witwater", "Sedibeng",
    ),
    "en-IN": (
        "Sri Ganesh", "Lakshmi", "Shakti", "Om Sai", "Bharat", "Kaveri", "Sahyadri", "Deccan", "Aravali",
        "Kumaran", "Malhotra", "Patil", "Jain", "Sundar", "Annapurna", "Vishwa", "Navratna", "Krishna",
        "Ambika", "Gokul", "Satyam", "Mahalakshmi", "Venkatesh", "Kirloskar Nagar", "Nandi",
    ),
}  # fmt: skip
_EN_SUFFIX = {"en-GH": "Ltd", "en-ZA": "(Pty) Ltd", "en-IN": "Pvt Ltd"}
_ID_SECTOR = {
    "automotive_parts": ("Komponen Otomotif", "Suku Cadang"),
    "garments": ("Garmen", "Konveksi", "Busana"),
    "textiles": ("Tekstil", "Tenun"),
    "footwear_leather": ("Sepatu", "Kulit"),
    "food_beverages": ("Pangan", "Makanan", "Minuman"),
    "agro_processing": ("Agro", "Olahan Tani"),
    "wood_furniture": ("Mebel", "Furnitur", "Ukir"),
    "metal_products": ("Logam", "Teknik"),
    "electrical_electronics": ("Elektronik", "Listrik"),
    "chemicals_plastics": ("Plastik", "Kimia"),
    "construction_materials": ("Bahan Bangunan", "Keramik"),
    "tourism_hospitality": ("Hotel", "Wisata"),
    "other": ("Industri", "Karya"),
}
_ID_NAMES = (
    "Sinar Jaya", "Maju Bersama", "Karya Abadi", "Sumber Rejeki", "Mitra Sejahtera", "Cahaya Timur", "Bintang Terang",
    "Mega Utama", "Tunas Harapan", "Putra Mandiri", "Indah Lestari", "Surya Kencana", "Bumi Makmur", "Harapan Baru",
    "Setia Kawan", "Mulia Abadi", "Jaya Sentosa", "Sejahtera Bersama", "Berkah Utama", "Citra Nusantara",
    "Anugerah", "Sari Murni", "Cipta Karya", "Dwi Tunggal", "Kencana Mas",
)  # fmt: skip
_VI_SECTOR = {
    "automotive_parts": ("Phụ tùng ô tô", "Cơ khí ô tô"),
    "garments": ("May", "May mặc", "Thời trang"),
    "textiles": ("Dệt", "Sợi"),
    "footwear_leather": ("Giày da", "Da giày"),
    "food_beverages": ("Thực phẩm", "Chế biến thực phẩm"),
    "agro_processing": ("Nông sản", "Chế biến nông sản"),
    "wood_furniture": ("Gỗ", "Nội thất"),
    "metal_products": ("Cơ khí", "Kim khí"),
    "electrical_electronics": ("Điện tử", "Thiết bị điện"),
    "chemicals_plastics": ("Nhựa", "Hóa chất"),
    "construction_materials": ("Vật liệu xây dựng", "Gạch men"),
    "tourism_hospitality": ("Khách sạn", "Du lịch"),
    "other": ("Sản xuất", "Công nghiệp"),
}
_VI_NAMES = (
    "Thành Công", "Hòa Bình", "Sao Mai", "Phú Thịnh", "Việt Hưng", "Minh Anh", "Tân Tiến", "An Phát", "Hồng Hà",
    "Phương Nam", "Đại Việt", "Hưng Thịnh", "Bảo Minh", "Trường Sơn", "Hoàng Gia", "Nam Việt", "Thái Bình",
    "Kim Long", "Đông Á", "Bình Minh", "Thiên Phúc", "Quang Trung", "Hải Âu", "Tiến Đạt", "Lộc Phát",
)  # fmt: skip
_ZH_SECTOR = {
    "automotive_parts": ("Auto Parts", "Motor Components"),
    "garments": ("Garment", "Apparel", "Fashion"),
    "textiles": ("Textile", "Knitting"),
    "footwear_leather": ("Shoes", "Leather Products"),
    "food_beverages": ("Food", "Beverage"),
    "agro_processing": ("Agricultural Products", "Tea"),
    "wood_furniture": ("Furniture", "Wood Products"),
    "metal_products": ("Metal Products", "Hardware", "Precision Machinery"),
    "electrical_electronics": ("Electronics", "Electronic Technology", "Electric Appliance"),
    "chemicals_plastics": ("Plastics", "Chemical", "Packaging"),
    "construction_materials": ("Building Materials", "Ceramics"),
    "tourism_hospitality": ("Hotel",),
    "other": ("Industrial", "Manufacturing"),
}
_ZH_NAMES = (
    "Huali", "Jinfeng", "Xinyuan", "Tianhe", "Meilong", "Ruixiang", "Hongtai", "Jiahe", "Yongsheng", "Fuxing",
    "Changrong", "Kaida", "Mingyang", "Shengda", "Hualong", "Jinhui", "Xinghe", "Dingsheng", "Taifeng", "Weiye",
    "Haoyu", "Lianfa", "Zhongxin", "Baichuan", "Yuanhang",
)  # fmt: skip


def _enterprise_name(rng: np.random.Generator, style: str, sector: str, city: str) -> str:
    def pick(options: Sequence[str]) -> str:
        return options[int(rng.integers(len(options)))]

    if style.startswith("es"):
        return f"{pick(_ES_SECTOR[sector])} {pick(_ES_NAMES)} {_ES_SUFFIX[style]}"
    if style.startswith("en"):
        return f"{pick(_EN_NAMES[style])} {pick(_EN_SECTOR[sector])} {_EN_SUFFIX[style]}"
    if style == "id":
        return f"{pick(_ID_NAMES)} {pick(_ID_SECTOR[sector])}"
    if style == "vi":
        return f"{pick(_VI_SECTOR[sector])} {pick(_VI_NAMES)}"
    if style == "zh":
        return f"{city} {pick(_ZH_NAMES)} {pick(_ZH_SECTOR[sector])} Co., Ltd."
    raise ValueError(f"unknown name style {style!r}")


# ---------------------------------------------------------------------------------------------------
# Generation
# ---------------------------------------------------------------------------------------------------


@dataclass
class Enterprise:
    iso3: str
    cohort: Cohort
    seq: int
    joined_on: dt.date
    city: City
    sector: str
    partner: str
    latitude: float
    longitude: float
    raw_size: float
    enterprise_id: str = ""
    name: str = ""
    workers_female: int = 0
    workers_male: int = 0
    team: tuple[int, int, int, int] = (0, 0, 0, 0)  # managers f/m, workers f/m trained (distinct)

    @property
    def phase(self) -> str:
        return self.cohort.phase

    @property
    def workers(self) -> int:
        return self.workers_female + self.workers_male


@dataclass
class DemoData:
    enterprises: list[Enterprise]
    training: list[dict[str, object]]
    indicators: list[dict[str, object]]
    logframe: dict[str, list[dict[str, object]]]
    targets: list[dict[str, object]]
    funding: list[dict[str, object]]


def _rng(seed: int, *labels: str) -> np.random.Generator:
    """An independent stream per purpose, stable across runs and platforms (crc32, not hash())."""
    return np.random.default_rng([seed, *(zlib.crc32(label.encode("utf-8")) for label in labels)])


def _weighted(rng: np.random.Generator, options: Sequence[tuple[str, float]]) -> str:
    weights = np.array([w for _, w in options], dtype=float)
    return options[int(rng.choice(len(options), p=weights / weights.sum()))][0]


def _reference_file(reference_dir: Path, name: str) -> Path:
    """Inputs come from reference_dir when it has them, else from the repository's reference data."""
    path = reference_dir / name
    return path if path.exists() else config.REFERENCE_DIR / name


def _read_reference(reference_dir: Path, name: str) -> list[dict[str, str]]:
    with open(_reference_file(reference_dir, name), encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _load_polygons(reference_dir: Path) -> dict[str, BaseGeometry]:
    with open(_reference_file(reference_dir, "countries.geojson"), encoding="utf-8") as handle:
        collection = json.load(handle)
    wanted = {spec.iso3 for spec in COUNTRIES}
    polygons = {
        f["properties"]["iso3"]: shape(f["geometry"])
        for f in collection["features"]
        if f["properties"].get("iso3") in wanted
    }
    missing = wanted - set(polygons)
    if missing:
        raise ValueError(f"countries.geojson lacks polygons for {sorted(missing)}")
    return polygons


def _place(rng: np.random.Generator, city: City, polygon: BaseGeometry) -> tuple[float, float]:
    """A point near the city, inside the country by at least COAST_MARGIN_DEG (rejection sampling)."""
    boundary = polygon.boundary
    for _ in range(10_000):
        lat = round(city.lat + float(rng.normal(0, city.spread)), 4)
        lon = round(city.lon + float(rng.normal(0, city.spread / math.cos(math.radians(city.lat)))), 4)
        point = Point(lon, lat)
        if polygon.contains(point) and boundary.distance(point) >= COAST_MARGIN_DEG:
            return lat, lon
    raise RuntimeError(f"could not place an enterprise near {city.name}")


def _raw_size(rng: np.random.Generator, median: float) -> float:
    """Workforce before scaling: log-normal, redrawn (not clipped, which would pile up values) outside SME range."""
    while True:
        size = median * float(rng.lognormal(0.0, 0.7))
        if 15 <= size <= 1_000:
            return size


def _join_dates(rng: np.random.Generator, start: dt.date, end: dt.date, n: int) -> list[dt.date]:
    """Join dates ramping up over the window (few pilots first, more enterprises as the programme grows)."""
    span = (end - start).days
    offsets = np.floor(span * rng.random(n) ** 0.8).astype(int)
    return [start + dt.timedelta(days=int(d)) for d in offsets]


def _make_enterprises(seed: int, polygons: dict[str, BaseGeometry]) -> list[Enterprise]:
    enterprises: list[Enterprise] = []
    for spec in COUNTRIES:
        rows: list[Enterprise] = []
        for cohort in COHORTS:
            n = spec.counts.get(cohort.key, 0)
            if not n:
                continue
            rng = _rng(seed, "enterprises", spec.iso3, cohort.key)
            start = max(cohort.join_from, LATE_STARTERS.get(spec.iso3, cohort.join_from))
            dates = _join_dates(rng, start, cohort.join_to, n)
            for k in range(n):
                city = spec.cities[int(rng.choice(len(spec.cities), p=_probs([c.weight for c in spec.cities])))]
                sector = _weighted(rng, city.sectors or spec.sectors)
                partner = _weighted(rng, spec.partners)
                lat, lon = _place(rng, city, polygons[spec.iso3])
                size = _raw_size(rng, spec.median_workers * PHASE_SIZE_FACTOR[cohort.phase])
                rows.append(
                    Enterprise(
                        spec.iso3,
                        cohort,
                        len(rows),
                        dates[k],
                        city,
                        sector,
                        partner,
                        lat,
                        lon,
                        size,
                    )
                )
        rows.sort(key=lambda e: (e.joined_on, e.seq))
        names_rng = _rng(seed, "names", spec.iso3)
        used: set[str] = set()
        for number, enterprise in enumerate(rows, start=1):
            enterprise.enterprise_id = f"{spec.iso3}-{number:04d}"
            for _ in range(50):
                name = _enterprise_name(names_rng, spec.style, enterprise.sector, enterprise.city.name)
                if name not in used:
                    break
            else:
                name = f"{name} ({enterprise.city.name} {number})"
            used.add(name)
            enterprise.name = name
        enterprises.extend(rows)
    return enterprises


def _probs(weights: Iterable[float]) -> np.ndarray:
    array = np.asarray(list(weights), dtype=float)
    return array / array.sum()


def _scale_to_total(raw: np.ndarray, total: int, minimum: int) -> np.ndarray:
    """Integers >= minimum proportional to raw (above the minimum) that add up to exactly total."""
    above = raw - minimum
    exact = minimum + above * (total - minimum * raw.size) / above.sum()
    result = np.floor(exact).astype(np.int64)
    remainder = int(total - result.sum())
    order = np.argsort(-(exact - result), kind="stable")
    result[order[:remainder]] += 1
    return result


def _split_women(rng: np.random.Generator, totals: np.ndarray, sectors: Sequence[str], target: float) -> np.ndarray:
    """Women per enterprise from the sector's typical share, shifted (bisection) so the total share is on target."""
    base = np.array([SECTOR_WOMEN[s] for s in sectors])
    logits = np.log(base / (1 - base)) + rng.normal(0, 0.5, base.size)

    def women(shift: float) -> np.ndarray:
        return np.rint(totals / (1 + np.exp(-(logits + shift)))).astype(np.int64)

    low, high = -4.0, 4.0
    for _ in range(60):
        middle = (low + high) / 2
        if women(middle).sum() < target * totals.sum():
            low = middle
        else:
            high = middle
    return women(high)


def _assign_workforce(seed: int, enterprises: list[Enterprise]) -> None:
    scale_ii = 1.0
    for key in ("I", "II", "II-2017", "III"):  # "II" before "II-2017": the later cohort reuses its scale
        group = [e for e in enterprises if e.cohort.key == key]
        raw = np.array([e.raw_size for e in group])
        if key in WORKERS_TOTAL:
            totals = _scale_to_total(raw, WORKERS_TOTAL[key], MIN_WORKERS)
            if key == "II":
                scale_ii = (totals.sum() - MIN_WORKERS * raw.size) / (raw - MIN_WORKERS).sum()
        else:
            totals = np.rint(MIN_WORKERS + (raw - MIN_WORKERS) * scale_ii).astype(np.int64)
        phase = group[0].phase
        women = _split_women(_rng(seed, "women", key), totals, [e.sector for e in group], WOMEN_SHARE[phase])
        for enterprise, total, female in zip(group, totals, women, strict=True):
            enterprise.workers_female = int(female)
            enterprise.workers_male = int(total - female)


def _adjust_to_sum(
    rng: np.random.Generator, values: np.ndarray, target: int, lower: np.ndarray, upper: np.ndarray
) -> None:
    """Move values at random positions (within bounds) until they sum to target; steps of one unit once the
    remaining difference is small, larger (a share of it, within the position's room) while it is not."""
    diff = int(target - values.sum())
    while diff:
        room = upper - values if diff > 0 else values - lower
        eligible = np.flatnonzero(room > 0)
        if not eligible.size:
            raise ValueError("calibration target out of reach")
        k = eligible[int(rng.integers(eligible.size))]
        step = min(abs(diff), int(room[k]), max(1, abs(diff) // (2 * eligible.size)))
        values[k] += step if diff > 0 else -step
        diff -= step if diff > 0 else -step


def _assign_teams(seed: int, group: list[Enterprise], phase: str) -> None:
    """Distinct people trained per enterprise (managers f/m, workers f/m) with exact phase totals."""
    rng = _rng(seed, "teams", phase)
    n = len(group)
    total = round(n * PEOPLE_PER_ENTERPRISE[phase])
    managers_total = round(total * MANAGERS_SHARE)
    size_rank = np.argsort(np.argsort([e.workers for e in group], kind="stable"), kind="stable") / max(n - 1, 1)
    managers = 2 + rng.binomial(4, 0.35 + 0.3 * size_rank)
    workers = 2 + rng.binomial(4, 0.3 + 0.3 * size_rank)
    low, high = np.full(n, 2), np.full(n, 6)
    _adjust_to_sum(rng, managers, managers_total, low, high)
    _adjust_to_sum(rng, workers, total - managers_total, low, high)

    share = np.array([e.workers_female / max(e.workers, 1) for e in group])
    women_managers = rng.binomial(managers, np.clip(0.6 * share, 0.02, 0.9))
    women_workers = rng.binomial(workers, np.clip(0.85 * share, 0.02, 0.95))
    women_target = round(total * TRAINEE_WOMEN_SHARE)
    diff = women_target - int(women_managers.sum() + women_workers.sum())
    while diff:  # swap one trainee's sex, preferring enterprises whose workforce has many women (or few)
        step = 1 if diff > 0 else -1
        roles = [(women_managers, managers), (women_workers, workers)]
        if rng.random() < 0.5:
            roles.reverse()
        for women, people in roles:
            eligible = np.flatnonzero(women < people) if step > 0 else np.flatnonzero(women > 0)
            if eligible.size:
                break
        else:
            raise ValueError("trainee women target out of reach")
        weights = share[eligible] + 0.05 if step > 0 else 1.05 - share[eligible]
        women[eligible[int(rng.choice(eligible.size, p=weights / weights.sum()))]] += step
        diff -= step
    for k, enterprise in enumerate(group):
        enterprise.team = (
            int(women_managers[k]),
            int(managers[k] - women_managers[k]),
            int(women_workers[k]),
            int(workers[k] - women_workers[k]),
        )


def _next_weekday(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=max(0, 7 - day.weekday())) if day.weekday() >= 5 else day


def _module_sequence(rng: np.random.Generator, codes: Sequence[str], count: int) -> list[str]:
    weights = np.array([MODULE_WEIGHTS.get(c, 0.05) for c in codes])
    if "WC" in codes and rng.random() < MODULE_FIRST_WC:
        first = "WC"
    else:
        first = codes[int(rng.choice(len(codes), p=weights / weights.sum()))]
    rest = [c for c in codes if c != first]
    rest_weights = np.array([MODULE_WEIGHTS.get(c, 0.05) for c in rest])
    order = rng.choice(len(rest), size=len(rest), replace=False, p=rest_weights / rest_weights.sum())
    return [first, *(rest[int(i)] for i in order)][:count]


def _make_training(seed: int, group: list[Enterprise], phase: str, codes: Sequence[str]) -> list[dict[str, object]]:
    rng = _rng(seed, "training", phase)
    rows: list[dict[str, object]] = []
    for enterprise in group:
        wanted = 1 + int(rng.choice(5, p=MODULE_COUNT_WEIGHTS))
        modules = _module_sequence(rng, codes, wanted)
        dates: list[dt.date] = []
        day = _next_weekday(enterprise.joined_on + dt.timedelta(days=int(rng.integers(14, 76))))
        while len(dates) < len(modules) and day <= min(enterprise.cohort.until, AS_OF):
            dates.append(day)
            day = _next_weekday(day + dt.timedelta(days=int(rng.integers(60, 151))))
        if not dates:
            raise ValueError(f"{enterprise.enterprise_id}: no time left for a first module")
        modules = modules[: len(dates)]
        # Each module has the enterprise's team, some groups one person short; every group is complete in at
        # least one module, so the distinct estimate (max per group) equals the team.
        full = [int(rng.integers(len(modules))) for _ in range(4)]
        for m, (module, day) in enumerate(zip(modules, dates, strict=True)):
            counts = list(enterprise.team)
            for g in range(4):
                role = (0, 1) if g < 2 else (2, 3)
                others = sum(counts[r] for r in role if r != g)
                if m != full[g] and counts[g] > 0 and counts[g] - 1 + others >= 2 and rng.random() < 0.3:
                    counts[g] -= 1
            rows.append(
                {
                    "enterprise_id": enterprise.enterprise_id,
                    "module": module,
                    "classroom_date": day,
                    "managers_female": counts[0],
                    "managers_male": counts[1],
                    "workers_female": counts[2],
                    "workers_male": counts[3],
                    "consultation_visits": int(rng.integers(2, 9)),
                    "satisfaction_pct": None,
                }
            )
    present = rng.permutation(len(rows))[: round(SATISFACTION_PRESENT * len(rows))]
    for index in sorted(present):
        rows[index]["satisfaction_pct"] = round(float(np.clip(rng.normal(88.5, 4.0), 80, 98)), 1)
    return rows


def _baseline_values(rng: np.random.Generator, code: str, enterprise: Enterprise) -> float:
    workers, sector = enterprise.workers, enterprise.sector
    if code == "accidents":
        return float(min(rng.poisson(workers * 0.03 * SECTOR_ACCIDENT_RISK[sector]), 40))
    if code == "absenteeism":
        return float(np.clip(rng.normal(5.5, 2.0), 2, 12))
    if code == "defect_rate":
        return float(np.clip(rng.lognormal(math.log(5), 0.5), 1.5, 15))
    if code == "staff_turnover":
        return float(np.clip(rng.lognormal(math.log(15), 0.45), 5, 40))
    if code == "energy_use":
        kwh = workers * SECTOR_KWH_PER_WORKER[sector] * rng.lognormal(0, 0.35)
        return float(np.clip(kwh, 2_000, 300_000))
    raise ValueError(code)


def _calibrated_follow_up(rng: np.random.Generator, base: np.ndarray, code: str, phase: str) -> np.ndarray:
    """Follow-up values (integer units): exactly IMPROVING_SHARE of the enterprises improve, and the summed
    follow-up over the summed baseline is exactly the target change (up to one unit)."""
    decimals, low, high, spread = CHANGE_FORMAT[code]
    unit = 10**decimals
    n = base.size
    floor = np.full(n, low * unit)
    ceiling = np.minimum(high * unit, 10 * base)  # a follow-up > 10x the baseline is flagged by validation
    can_improve = np.flatnonzero(base - 1 >= floor)
    improves = np.zeros(n, dtype=bool)
    improves[rng.permutation(can_improve)[: min(round(IMPROVING_SHARE[code] * n), can_improve.size)]] = True
    lower = np.where(improves, floor, base)
    upper = np.where(improves, base - 1, ceiling)
    target = round(int(base.sum()) * (1 + CHANGE_TARGETS[code][phase]))
    if not lower.sum() <= target <= upper.sum():
        raise ValueError(f"{code}: change target out of reach")

    # The others stay level or get somewhat worse; the improvers' drops (random shapes) are scaled together
    # (bisection) so that the total lands on the target, then single units settle the rounding.
    follow = np.clip(np.rint(base * (1 + np.abs(rng.normal(0, spread / 3, n)))), lower, upper).astype(np.int64)
    shape = np.abs(rng.normal(1.0, 0.6, n)) + 0.05
    needed = target - int(follow[~improves].sum())

    def improved(scale: float) -> np.ndarray:
        dropped = np.rint(base * (1 - np.clip(scale * shape, 0, 0.85)))  # nobody drops to zero by scaling
        return np.clip(dropped, lower, upper).astype(np.int64)[improves]

    small, large = 0.0, 20.0
    for _ in range(60):
        middle = (small + large) / 2
        if improved(middle).sum() > needed:
            small = middle
        else:
            large = middle
    follow[improves] = improved(large)
    _adjust_to_sum(rng, follow, target, lower, upper)
    return follow


def _top(count: int, score: np.ndarray) -> np.ndarray:
    chosen = np.zeros(score.size, dtype=np.int64)
    chosen[np.argsort(-score, kind="stable")[:count]] = 1
    return chosen


def _make_indicators(seed: int, group: list[Enterprise], phase: str) -> list[dict[str, object]]:
    rng = _rng(seed, "indicators", phase)
    n = len(group)
    baseline_on = [e.joined_on + dt.timedelta(days=int(rng.integers(0, 61))) for e in group]
    follow_up_on = [d + dt.timedelta(days=int(rng.integers(274, 549))) for d in baseline_on]
    has_baseline = np.zeros(n, dtype=bool)
    has_baseline[rng.permutation(n)[: round(BASELINE_SHARE * n)]] = True
    eligible = np.flatnonzero(has_baseline & np.array([d <= AS_OF for d in follow_up_on]))
    has_follow_up = np.zeros(n, dtype=bool)
    has_follow_up[rng.permutation(eligible)[: round(FOLLOW_UP_SHARE * eligible.size)]] = True

    rows: list[dict[str, object]] = []
    improvement: dict[str, np.ndarray] = {}
    for code in CHANGE_TARGETS:
        decimals = CHANGE_FORMAT[code][0]
        unit = 10**decimals
        base_set = has_baseline.copy()
        follow_set = has_follow_up.copy()
        if code in ("defect_rate", "energy_use"):  # a few enterprises do not record these at all
            drop = rng.permutation(np.flatnonzero(base_set))[: round(0.03 * base_set.sum())]
            base_set[drop] = False
            follow_set[drop] = False
        if code == "staff_turnover":  # ... or lose a follow-up value
            follow_set[rng.permutation(np.flatnonzero(follow_set))[: round(0.02 * follow_set.sum())]] = False
        base = np.zeros(n, dtype=np.int64)
        for k in np.flatnonzero(base_set):
            base[k] = round(_baseline_values(rng, code, group[k]) * unit)
        follow = np.zeros(n, dtype=np.int64)
        both = np.flatnonzero(follow_set)
        follow[both] = _calibrated_follow_up(rng, base[both], code, phase)
        gain = np.zeros(n)
        gain[both] = (base[both] - follow[both]) / np.maximum(base[both], 1)
        improvement[code] = gain
        for k in np.flatnonzero(base_set):
            rows.append(_indicator_row(group[k], code, "baseline", baseline_on[k], base[k] / unit, decimals))
            if follow_set[k]:
                rows.append(_indicator_row(group[k], code, "follow_up", follow_up_on[k], follow[k] / unit, decimals))

    # Yes/no outcomes at follow-up, exact counts; better relations go with lower absenteeism and turnover,
    # cost savings with lower energy use and defects (plus noise), good practices with more modules taken.
    followed = np.flatnonzero(has_follow_up)
    scores = {
        "good_practices_adopted": rng.normal(0, 1, n),
        "workplace_relations_improved": improvement["absenteeism"]
        + improvement["staff_turnover"]
        + rng.normal(0, 0.15, n),
        "cost_savings_reported": improvement["energy_use"] + improvement["defect_rate"] + rng.normal(0, 0.2, n),
    }
    for code, score in scores.items():
        count = round(SHARE_TARGETS[code][phase] * followed.size)
        values = _top(count, score[followed])
        for k, value in zip(followed, values, strict=True):
            rows.append(_indicator_row(group[k], code, "follow_up", follow_up_on[k], float(value), 0))
    return rows


def _indicator_row(
    enterprise: Enterprise, code: str, period: str, day: dt.date, value: float, decimals: int
) -> dict[str, object]:
    return {
        "enterprise_id": enterprise.enterprise_id,
        "indicator": code,
        "period": period,
        "measured_on": day,
        "value": f"{value:.{decimals}f}",
    }


# Logframe: (target at 2013-09-30, target at 2016-12-31) ranges; cumulative counts.
_LOGFRAME_TARGETS = {
    "institutions_embedding": ((2, 4), (4, 7)),
    "cost_covered_pct": ((15, 30), (35, 55)),
    "sponsors": ((2, 5), (4, 9)),
    "clusters_selected": ((2, 3), (3, 6)),
    "mous_signed": ((2, 5), (4, 9)),
    "partner_staff_trained": ((20, 60), (50, 120)),
    "business_plans": ((1, 3), (2, 5)),
    "expert_trainers": ((10, 25), (20, 45)),
    "centre_of_excellence": ((0, 1), (1, 1)),
}
_PEOPLE_INDICATORS = ("partner_staff_trained", "expert_trainers")


def _make_logframe(seed: int, iso3: str, indicators: Sequence[dict[str, str]]) -> list[dict[str, object]]:
    rng = _rng(seed, "logframe", iso3)
    dates = [dt.date(2016, 12, 31)] if iso3 in LATE_STARTERS else [dt.date(2013, 9, 30), dt.date(2016, 12, 31)]
    rows: list[dict[str, object]] = []
    for item in indicators:
        code = item["code"]
        ranges = _LOGFRAME_TARGETS.get(code, ((1, 3), (2, 5)))
        previous_target = 0.0
        for day in dates:
            low, high = ranges[0] if day.year == 2013 else ranges[1]
            target = float(max(int(rng.integers(low, high + 1)), previous_target))
            previous_target = target
            decimals = 1 if code == "cost_covered_pct" else 0
            if code == "centre_of_excellence":
                actual: float | None = float(rng.random() < (0.7 if target else 0.2))
            else:
                actual = target * float(rng.uniform(0.55, 1.3))
                actual = round(min(actual, 60.0) if code == "cost_covered_pct" else actual, decimals)
                if code == "cost_covered_pct":
                    actual = max(actual, 10.0)
            comment = ""
            if rng.random() < 0.06:
                actual, comment = None, "Not yet reported by the partner"
            elif actual is not None and actual < target and rng.random() < 0.2:
                comment = str(rng.choice(_BEHIND_COMMENTS))
            elif actual is not None and actual >= target and target and rng.random() < 0.1:
                comment = str(rng.choice(_AHEAD_COMMENTS))
            female = ""
            if code in _PEOPLE_INDICATORS and actual is not None:
                female = f"{float(rng.uniform(25, 45)):.1f}"
            rows.append(
                {
                    "level": item["level"],
                    "indicator": code,
                    "period_end": day,
                    "target": f"{target:.{decimals}f}",
                    "actual": "" if actual is None else f"{actual:.{decimals}f}",
                    "female_share": female,
                    "comment": comment,
                }
            )
    return rows


_BEHIND_COMMENTS = (
    "Behind schedule: partner reorganisation",
    "Delayed by late signature of the MoU",
    "Recruitment of trainers slower than planned",
    "Budget cuts at the partner institution",
    "Catching up in the next reporting period",
)
_AHEAD_COMMENTS = ("Target exceeded", "On track", "Achieved ahead of schedule")


def _nice(value: float, step: int) -> int:
    return max(step, round(value / step) * step)


def _make_targets(seed: int, enterprises: list[Enterprise]) -> list[dict[str, object]]:
    rng = _rng(seed, "targets")
    rows: list[dict[str, object]] = []
    keys = sorted({(e.iso3, e.phase) for e in enterprises})
    for iso3, phase in keys:
        group = [e for e in enterprises if e.iso3 == iso3 and e.phase == phase]
        actual = {
            "enterprises": (len(group), 5),
            "people_trained": (sum(sum(e.team) for e in group), 50),
            "workers_reached": (sum(e.workers for e in group), 500),
        }
        for metric, (value, step) in sorted(actual.items()):
            target = _nice(value * float(rng.uniform(0.85, 1.2)), step)
            rows.append({"country": iso3, "phase": phase, "metric": metric, "target": target})
    return rows


def _make_funding(enterprises: list[Enterprise]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for iso3, phase in sorted({(e.iso3, e.phase) for e in enterprises}):
        start, end = PHASE_DATES[phase]
        start = max(start, LATE_STARTERS.get(iso3, start))
        for donor in sorted(DONORS[phase]):
            rows.append({"country": iso3, "phase": phase, "donor": donor, "start_date": start, "end_date": end})
    return rows


def build(seed: int = DEFAULT_SEED, reference_dir: Path = config.REFERENCE_DIR) -> DemoData:
    """The whole demo set in memory (no files written)."""
    polygons = _load_polygons(reference_dir)
    module_codes = [r["code"] for r in _read_reference(reference_dir, "modules.csv") if r.get("core", "1") == "1"]
    logframe_indicators = _read_reference(reference_dir, "logframe_indicators.csv")

    enterprises = _make_enterprises(seed, polygons)
    _assign_workforce(seed, enterprises)
    training: list[dict[str, object]] = []
    indicators: list[dict[str, object]] = []
    for phase in sorted({c.phase for c in COHORTS}):
        group = [e for e in enterprises if e.phase == phase]
        _assign_teams(seed, group, phase)
        training.extend(_make_training(seed, group, phase, module_codes))
        indicators.extend(_make_indicators(seed, group, phase))
    logframe = {spec.iso3: _make_logframe(seed, spec.iso3, logframe_indicators) for spec in COUNTRIES}
    return DemoData(
        enterprises, training, indicators, logframe, _make_targets(seed, enterprises), _make_funding(enterprises)
    )


# ---------------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------------


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        raise TypeError("format floats explicitly before writing")  # no float repr noise in the files
    return str(value)


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[dict[str, object]]) -> int:
    """UTF-8 without BOM, comma, "\\n" line endings; written to a temp file then renamed into place."""
    temporary = path.with_name(path.name + ".tmp")
    count = 0
    with open(temporary, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([_cell(row[c]) for c in header])
            count += 1
    os.replace(temporary, path)
    return count


def _enterprise_row(e: Enterprise) -> dict[str, object]:
    return {
        "enterprise_id": e.enterprise_id,
        "name": e.name,
        "sector": e.sector,
        "province": e.city.province,
        "city": e.city.name,
        "latitude": f"{e.latitude:.4f}",
        "longitude": f"{e.longitude:.4f}",
        "workers_female": e.workers_female,
        "workers_male": e.workers_male,
        "joined_on": e.joined_on,
        "phase": e.phase,
        "partner": e.partner,
    }


def _training_row(row: dict[str, object]) -> dict[str, object]:
    satisfaction = row["satisfaction_pct"]
    return {**row, "satisfaction_pct": "" if satisfaction is None else f"{satisfaction:.1f}"}


def check_owned(folder: Path) -> None:
    """Refuse to overwrite a country folder holding files that the generator did not write."""
    if not folder.exists() or (folder / MARKER_FILE).exists():
        return
    foreign = [p.name for p in folder.iterdir() if p.is_file()]
    if foreign:
        raise FileExistsError(
            f"{folder} holds {', '.join(sorted(foreign))} but no {MARKER_FILE}: it looks like real data, "
            "so the demo generator will not overwrite it. Move it away first."
        )


def generate(
    out_dir: Path | None = None,
    reference_dir: Path = config.REFERENCE_DIR,
    seed: int = DEFAULT_SEED,
) -> dict[str, int]:
    """Write the demo set: country folders under out_dir, targets.csv and funding.csv in reference_dir.

    out_dir defaults to config.countries_dir(), resolved at call time (not import time) so that
    SCORE_DATA_DIR set after import is honoured. Inputs (polygons, modules, logframe indicators) are read
    from reference_dir when present there, else from the repository's data/reference.
    Returns the rows written per table. Each country folder is emptied of files first (stale uploads,
    an old enterprises.xlsx ...), but only if it is a demo folder (has the marker) or has no files.
    """
    out_dir = Path(out_dir) if out_dir is not None else config.countries_dir()
    reference_dir = Path(reference_dir)
    data = build(seed, reference_dir)
    order = {code: i for i, code in enumerate([*CHANGE_TARGETS, *SHARE_TARGETS])}  # the reference order
    for spec in COUNTRIES:
        check_owned(out_dir / spec.iso3)

    written = dict.fromkeys(("enterprises", "training", "indicators", "logframe", "targets", "funding"), 0)
    for spec in COUNTRIES:
        folder = out_dir / spec.iso3
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.iterdir():
            if stale.is_file():
                stale.unlink()
        prefix = spec.iso3 + "-"
        enterprises = sorted((e for e in data.enterprises if e.iso3 == spec.iso3), key=lambda e: e.enterprise_id)
        training = sorted(
            (_training_row(r) for r in data.training if str(r["enterprise_id"]).startswith(prefix)),
            key=lambda r: (r["enterprise_id"], r["classroom_date"], r["module"]),
        )
        indicators = sorted(
            (r for r in data.indicators if str(r["enterprise_id"]).startswith(prefix)),
            key=lambda r: (r["enterprise_id"], order[str(r["indicator"])], r["period"]),
        )
        written["enterprises"] += _write_csv(
            folder / "enterprises.csv", TABLES["enterprises"].column_names, map(_enterprise_row, enterprises)
        )
        written["training"] += _write_csv(folder / "training.csv", TABLES["training"].column_names, training)
        written["indicators"] += _write_csv(folder / "indicators.csv", TABLES["indicators"].column_names, indicators)
        written["logframe"] += _write_csv(
            folder / "logframe.csv", TABLES["logframe"].column_names, data.logframe[spec.iso3]
        )
        (folder / MARKER_FILE).write_text(
            f"Synthetic demo data written by `python -m score demo` (seed {seed}). Not real enterprises.\n",
            encoding="utf-8",
            newline="\n",
        )
    reference_dir.mkdir(parents=True, exist_ok=True)
    written["targets"] = _write_csv(
        reference_dir / "targets.csv", ("country", "phase", "metric", "target"), data.targets
    )
    written["funding"] = _write_csv(
        reference_dir / "funding.csv", ("country", "phase", "donor", "start_date", "end_date"), data.funding
    )
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m score.demo", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="output folder (default data/countries)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    written = generate(args.out, seed=args.seed)
    for table, rows in written.items():
        print(f"  {table:16} {rows:>10,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
