// Written for this project (same licence as the rest of it): everyday Kazakh words, city names and common given
// names that people put in passwords. No Kazakh frequency list with a clear licence was at hand; this short list
// is a floor, not a corpus, and Russian, which most Kazakhstani passwords also draw on, has its own list.

extension PassphraseWords {
    /// Common Kazakh words and names, roughly most common first.
    static let kazakh = """
        мен сен ол біз сіз олар бір екі үш төрт бес алты жеті сегіз тоғыз он жүз мың иә жоқ сәлем рахмет қазақ
        қазақстан алматы астана шымкент қарағанды ақтөбе тараз павлодар өскемен семей атырау ақтау қостанай
        қызылорда орал жезқазған түркістан жаркент талдықорған ана әке апа ата әже бала балам қызым ұлым аға іні
        әпке сіңлі қарындас бауыр жан жаным жүрек сүйемін махаббат бақыт достық дос отан ел жер су күн ай жұлдыз
        аспан тау дала көл өзен гүл жақсы үлкен кіші ақ қара қызыл көк сары жасыл бүркіт арыстан қасқыр жылқы ат
        тұлпар бота мысық ит нан шай қымыз ет бауырсақ үй мектеп кітап сөз құпия кілт құпиясөз тәуелсіздік
        бейбітшілік абай айгүл айжан айдана әсел гүлнар динара жанар меруерт назерке нұргүл сәуле ақбота ерлан
        нұрлан асхат болат дәурен ерболат жандос серік нұрсұлтан қайрат азамат арман ержан бауыржан марат мұрат
        талғат айбек дархан ернар әлия аружан інжу мөлдір
        """
}
